import { z } from 'zod';
import { PolicyContractSchema, SandboxSchema } from '@integration/contracts';
import type { CheckResult, SuiteResult } from '../report';
import { labelOf, sourceOf, type SuiteContext } from './context';
import { check, fail, pass, stringsOf, suiteOf } from './support';

const StringList = z.array(z.string().min(1));

/**
 * Per capability: declared scopes, an authored policy that parses, and a normalized policy under
 * which the capability can actually be admitted: its own runtime class and id allowed, a valid
 * sandbox, a file scope for session capabilities, allowlists only where something is required.
 */
export function policyContract(ctx: SuiteContext): SuiteResult {
  const checks: CheckResult[] = [];
  for (const cap of ctx.capabilities) {
    checks.push(check(`${cap.id}.required_scopes`, StringList.safeParse(cap.requiredScopes).success, `scopes [${stringsOf(cap.requiredScopes).join(', ')}]`, 'requiredScopes must be a list of non-empty strings'));
    const source = sourceOf(ctx, cap);
    const authored = PolicyContractSchema.safeParse(source?.policy ?? {});
    if (!authored.success) {
      checks.push(fail(`${cap.id}.policy`, `the authored policy does not parse: ${z.prettifyError(authored.error)}`));
      continue;
    }
    const policy = cap.policy;
    if (!policy || typeof policy !== 'object') {
      checks.push(fail(`${cap.id}.policy`, 'the capability has no normalized policy'));
      continue;
    }
    checks.push(pass(`${cap.id}.policy`, 'policy declared'));
    const runtimes = stringsOf(policy.runtime?.allowed);
    checks.push(
      check(`${cap.id}.policy.runtime`, runtimes.includes(cap.runtimeClass), `runtime ${labelOf(cap.runtimeClass)} allowed`, `policy.runtime.allowed [${runtimes.join(', ')}] excludes the capability's own runtime class ${labelOf(cap.runtimeClass)}: it could never run`),
    );
    const ops = stringsOf(policy.allowedOperations);
    checks.push(check(`${cap.id}.policy.allowed_operations`, ops.includes(cap.id), 'may run as itself', `policy.allowedOperations [${ops.join(', ')}] excludes ${cap.id}: it could never be admitted`));
    const sandbox = SandboxSchema.safeParse(policy.sandbox);
    if (!sandbox.success) checks.push(fail(`${cap.id}.policy.sandbox`, `sandbox is invalid: ${z.prettifyError(sandbox.error)}`));
    else checks.push(pass(`${cap.id}.policy.sandbox`, `sandbox ${sandbox.data.level}/${sandbox.data.egress}/${sandbox.data.approvals}`));
    if (cap.runtimeClass === 'session') {
      checks.push(check(`${cap.id}.policy.file_scope`, typeof policy.sandbox?.fileScope === 'string' && policy.sandbox.fileScope.length > 0, `file scope ${policy.sandbox?.fileScope}`, 'session capabilities must declare policy.sandbox.fileScope (the workspace a session may touch)'));
    }
    const lists = [
      ['actor', policy.actor],
      ['tenant', policy.tenant],
    ] as const;
    for (const [name, rule] of lists) {
      const ok = rule && typeof rule.required === 'boolean' && StringList.safeParse(rule.allowedIds).success;
      checks.push(check(`${cap.id}.policy.${name}`, Boolean(ok), `${name} ${rule?.required ? 'required' : 'optional'}`, `policy.${name} must be { required: boolean, allowedIds: string[] }`));
    }
    checks.push(check(`${cap.id}.policy.environment`, StringList.safeParse(policy.environment?.allowed).success, `environments [${stringsOf(policy.environment?.allowed).join(', ') || 'any'}]`, 'policy.environment.allowed must be a list of environment names'));
  }
  return suiteOf('policy_contract', checks);
}
