import { ValidationError } from '../errors/integration-error';

export function definitionError(subject: string, problems: string[]): ValidationError {
  return new ValidationError('invalid_definition', `invalid definition ${subject}: ${problems.join('; ')}`, {
    details: { subject, problems },
  });
}

export const capabilityIdPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
