import type { ConformanceReport, ConformanceRun } from './report';

const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;

/** The human report: a header, `[PASS|FAIL|SKIP] <suite> - <summary>` per suite, and each failing check. */
export function renderHuman(report: ConformanceReport): string {
  const lines = [
    `Connector:    ${report.connectorId ?? '<no id>'}`,
    `Target:       ${report.target}`,
    `Profile:      ${report.profile}`,
    `Status:       ${report.status === 'passed' ? 'PASS' : 'FAIL'}`,
    `Runner:       ${report.runnerVersion}`,
    `Generated At: ${report.generatedAt}`,
    '',
  ];
  for (const suite of report.suites) {
    lines.push(`[${mark[suite.status]}] ${suite.id} - ${suite.summary}`);
    for (const check of suite.checks) if (check.status === 'failed') lines.push(`  x ${check.id}: ${check.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Several reports one after another, then a one-line verdict per connector. */
export function renderHumanRun(run: ConformanceRun): string {
  const parts = run.reports.map(renderHuman);
  const summary = [
    'Summary:',
    ...run.reports.map((r) => `  ${r.status === 'passed' ? 'PASS' : 'FAIL'} ${r.connectorId ?? r.target} (${r.target})`),
    ...run.errors.map((e) => `  FAIL ${e.target}: ${e.code}: ${e.message}`),
    `Overall: ${run.status === 'passed' ? 'PASS' : 'FAIL'}`,
  ];
  return `${[...parts, summary.join('\n')].join('\n')}\n`;
}

/** Pretty-printed JSON of a report (or of a whole run). */
export function renderJson(report: ConformanceReport | ConformanceRun): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
