import { describe, expect, it } from 'vitest';
import { failedChecks, renderHuman, runConformance } from '@integration/conformance';
import { codexCli } from '../src';

describe('connector_foundation conformance (the real engine and runtimes)', () => {
  it('passes every suite, fixtures included', async () => {
    const report = await runConformance(codexCli());
    expect(failedChecks(report), renderHuman(report)).toEqual([]);
    expect(report.status).toBe('passed');
    for (const id of ['deterministic_fixtures', 'secret_redaction'] as const) {
      expect(report.suites.find((s) => s.id === id)!.status).toBe('passed');
    }
  });
});
