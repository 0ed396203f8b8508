import { z } from 'zod';
import { ConnectorError, defineConnector, defineOperation, secret } from '@integration/contracts';

const Echo = z.strictObject({ message: z.string().min(1), failUntilAttempt: z.number().int().nonnegative().default(0) });

/** A test connector whose handlers really run: echo, fail-then-succeed, scoped, leaky, guarded. */
export function echoConnector() {
  const echo = defineOperation({
    id: 'echo.message.send',
    description: 'Echo a message; fails with unavailable until the given attempt.',
    input: Echo,
    output: z.strictObject({ message: z.string(), attempt: z.number().int() }),
    consumerSurface: { mode: 'common', normalizedId: 'message.send', actionName: 'message_send' },
    async handler(input, ctx) {
      if (ctx.attempt <= input.failUntilAttempt) {
        throw new ConnectorError({ class: 'unavailable', message: `backend down on attempt ${ctx.attempt}`, retryAfterMs: 10 });
      }
      ctx.emit({ type: 'connector.echo.message.sent', stream: 'control', payload: { length: input.message.length } });
      await ctx.artifact({ type: 'tool_output', slug: 'message_send', content: { message: input.message } });
      return { message: input.message, attempt: ctx.attempt };
    },
  });
  const scoped = defineOperation({
    id: 'echo.message.sign',
    description: 'Sign a message with the lease token.',
    input: z.strictObject({ message: z.string().min(1) }),
    output: z.strictObject({ signedBy: z.string() }),
    scopes: ['echo:sign'],
    consumerSurface: { mode: 'common', normalizedId: 'message.sign', actionName: 'message_sign' },
    async handler(_input, ctx) {
      return { signedBy: ctx.lease.subject };
    },
  });
  const leaky = defineOperation({
    id: 'echo.message.leak',
    description: 'Echoes secrets back, to prove the ledger redacts them.',
    input: z.strictObject({ message: z.string() }),
    // A declared-secret output field: the caller gets it, durable copies never do.
    output: z.looseObject({ echoed: z.string(), client_secret: secret(z.string()) }),
    scopes: ['echo:sign'],
    consumerSurface: { mode: 'common', normalizedId: 'message.leak', actionName: 'message_leak' },
    async handler(input, ctx) {
      const token = ctx.lease.payload.access_token ?? '';
      ctx.emit({ type: 'connector.echo.leaked', payload: { access_token: token, note: `token is ${token}`, maxTokens: 5 } });
      ctx.logger.info({ token, msg: input.message }, `using ${token}`);
      return { echoed: token, client_secret: 'shh-client-secret', nested: { apiKey: 'k-123456', credentialRefId: 'cred_x' } };
    },
  });
  const guarded = defineOperation({
    id: 'echo.message.guarded',
    description: 'Only for actor alice in prod.',
    input: z.strictObject({ message: z.string() }),
    output: z.strictObject({ ok: z.boolean() }),
    policy: { actor: { required: true, allowedIds: ['alice'] }, environment: { allowed: ['prod'] } },
    consumerSurface: { mode: 'connector_local', reason: 'test only' },
    async handler() {
      return { ok: true };
    },
  });
  const wrongOutput = defineOperation({
    id: 'echo.message.malformed',
    description: 'Returns output that violates its schema.',
    input: z.strictObject({}),
    output: z.strictObject({ count: z.number() }),
    consumerSurface: { mode: 'connector_local', reason: 'test only' },
    async handler() {
      return { count: 'many' } as unknown as { count: number };
    },
  });
  return defineConnector({
    id: 'echo',
    auth: { type: 'api_token', requestedScopes: ['echo:sign'], leaseFields: ['access_token'] },
    catalog: { displayName: 'Echo', description: 'test connector' },
    operations: [echo, scoped, leaky, guarded, wrongOutput],
  });
}
