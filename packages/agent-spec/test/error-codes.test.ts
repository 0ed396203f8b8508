import { describe, expect, it } from 'vitest';
import { categoryOf, errorCodes, isErrorCode, isIntegrationError, type IntegrationError } from '@integration/contracts';
import { agentSpecErrorCodes, importAgent } from '../src';

/** Compiles only while agent-spec's codes are part of `ErrorCode` (`switch (err.code)` stays typed). */
function advice(error: IntegrationError): string {
  switch (error.code) {
    case 'import_limit_exceeded':
      return 'send a smaller document';
    case 'agent_max_turns':
      return 'raise maxTurns';
    case 'unknown_run':
      return 'check the run id';
    default:
      return 'see error.details';
  }
}

describe('agent-spec error codes', () => {
  it('are declared by agent-spec, registered with contracts, and not part of the platform codes', () => {
    const platformCodes = new Set<string>(Object.values(errorCodes).flat());
    for (const [category, codes] of Object.entries(agentSpecErrorCodes)) {
      for (const code of codes) {
        expect(isErrorCode(code)).toBe(true);
        expect(categoryOf(code)).toBe(category);
        expect(platformCodes.has(code)).toBe(false);
      }
    }
  });

  it('are raised with their category', () => {
    let caught: unknown;
    try {
      importAgent('{}', { format: 'toml' as 'json' });
    } catch (error) {
      caught = error;
    }
    expect(isIntegrationError(caught)).toBe(true);
    const error = caught as IntegrationError;
    expect(error.code).toBe('unsupported_import_format');
    expect(error.category).toBe('validation');
    expect(advice(error)).toBe('see error.details');
  });
});
