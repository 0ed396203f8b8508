import { describe, expect, it } from 'vitest';
import { failedChecks, renderHuman, runConformance } from '@integration/conformance';
import { notion } from '../src/index';

describe('connector_foundation conformance', () => {
  it('passes every suite, running the fixtures against the fake Notion API from conformance.setup', async () => {
    const report = await runConformance(notion());
    expect(failedChecks(report), renderHuman(report)).toEqual([]);
    expect(report.status).toBe('passed');
    const fixtures = report.suites.find((s) => s.id === 'deterministic_fixtures')!;
    const redaction = report.suites.find((s) => s.id === 'secret_redaction')!;
    expect(fixtures.status).toBe('passed');
    expect(redaction.status).toBe('passed');
  });
});
