import { ValidationError, type InvocationRequestInput, type InvokeOptions } from '@integration/contracts';

/** `invoke(request)` and `invoke(capabilityId, input, opts)` mean the same thing. */
export function invocationRequestOf(first: unknown, input?: unknown, options?: unknown): InvocationRequestInput {
  if (typeof first === 'string') {
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
      throw new ValidationError('invalid_argument', 'invoke(capabilityId, input, options): options must be an object');
    }
    return { ...(options as InvokeOptions | undefined), capabilityId: first, input: input ?? {} } as InvocationRequestInput;
  }
  return first as InvocationRequestInput;
}
