import { z } from 'zod';

export const CheckStatusSchema = z.enum(['passed', 'failed', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** The suites of the `connector_foundation` profile, in the order they run. */
export const SUITE_IDS = [
  'manifest_contract',
  'consumer_surface_projection',
  'capability_contracts',
  'runtime_class_fit',
  'policy_contract',
  'deterministic_fixtures',
  'ingress_definition_discipline',
  'secret_redaction',
] as const;
export const SuiteIdSchema = z.enum(SUITE_IDS);
export type SuiteId = z.infer<typeof SuiteIdSchema>;

export const CheckResultSchema = z.object({
  /** `<subject>.<name>`, e.g. `github.issue.create.scopes_covered` or `fixtures.present`. */
  id: z.string().min(1),
  status: CheckStatusSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const SuiteResultSchema = z.object({
  id: SuiteIdSchema,
  status: CheckStatusSchema,
  summary: z.string(),
  checks: z.array(CheckResultSchema),
});
export type SuiteResult = z.infer<typeof SuiteResultSchema>;

export const CONFORMANCE_PROFILE = 'connector_foundation';
export const RUNNER_VERSION = '0.1.0';

export const ConformanceReportSchema = z.object({
  /** Where the definition came from (a package name, or `inline`). */
  target: z.string(),
  connectorId: z.string().nullable(),
  profile: z.literal(CONFORMANCE_PROFILE),
  runnerVersion: z.string(),
  generatedAt: z.string(),
  status: z.enum(['passed', 'failed']),
  suites: z.array(SuiteResultSchema),
});
export type ConformanceReport = z.infer<typeof ConformanceReportSchema>;

/** Reports of several connectors, as `pnpm conformance --format json` prints them. */
export const ConformanceRunSchema = z.object({
  status: z.enum(['passed', 'failed']),
  generatedAt: z.string(),
  reports: z.array(ConformanceReportSchema),
  /** Packages that could not be loaded or yielded no connector. */
  errors: z.array(z.object({ target: z.string(), code: z.string(), message: z.string() })).default([]),
});
export type ConformanceRun = z.infer<typeof ConformanceRunSchema>;

/** The checks of a report that failed, as `<suite>/<check id>`. */
export function failedChecks(report: ConformanceReport): Array<{ suite: SuiteId; check: CheckResult }> {
  return report.suites.flatMap((suite) => suite.checks.filter((c) => c.status === 'failed').map((check) => ({ suite: suite.id, check })));
}
