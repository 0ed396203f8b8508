import { allow, type PolicyRule } from '../rule';

export const DEFAULT_SHED_REASON = 'pressure shed requested';

/** Host pressure `shed` sheds the run; `admit` and `backoff` are admitted (backoff belongs to async runtimes). */
export const respectPressure: PolicyRule = {
  name: 'respect_pressure',
  description: "request pressure.decision 'shed' sheds (reason: pressure.reason or the default)",
  evaluate({ request }) {
    const pressure = request.pressure;
    if (pressure === null || pressure.decision !== 'shed') return allow;
    const reason = pressure.reason?.trim() ? pressure.reason : DEFAULT_SHED_REASON;
    return { verdict: 'shed', reasons: [reason] };
  },
};
