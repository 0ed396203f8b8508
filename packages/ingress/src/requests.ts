import { newId } from '@integration/contracts';
import { z } from 'zod';
import type { IngressDefinition } from './definition';
import { headerValue, normalizeHeaders, type HeaderInput } from './headers';

export interface WebhookRequest {
  tenantId: string;
  headers?: HeaderInput;
  /** The exact bytes received (signatures are checked over these). */
  rawBody: Uint8Array | string;
  /** The decoded payload; when absent the raw body is parsed as JSON. */
  body?: unknown;
  externalId?: string | null;
  partitionKey?: string | null;
}

export interface PollRequest {
  tenantId: string;
  partitionKey: string;
  cursor: string;
  event: unknown;
  externalId?: string | null;
  lastEventId?: string | null;
  lastEventTime?: string | null;
  metadata?: Record<string, unknown>;
}

const WebhookRequestSchema = z.object({
  tenantId: z.string().trim().min(1),
  rawBody: z.union([z.string(), z.instanceof(Uint8Array)]),
  externalId: z.string().nullish(),
  partitionKey: z.string().nullish(),
});

const PollRequestSchema = z.object({
  tenantId: z.string().trim().min(1),
  partitionKey: z.string().min(1),
  cursor: z.string(),
  externalId: z.string().nullish(),
  lastEventId: z.string().nullish(),
  lastEventTime: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A delivery as far as it is known before any check: enough to record a rejection of it. `payload`
 * is what was received (the decoded webhook body once it is parsed).
 */
export interface Draft {
  admissionId: string;
  source: 'webhook' | 'poll';
  tenantId: string;
  externalId: string | null;
  partitionKey: string | null;
  payload: unknown;
  now: number;
}

/** The tenant of a request that failed its schema, as far as it can be read (a rejection still names it). */
const looseTenant = (request: { tenantId?: unknown } | null | undefined): string =>
  typeof request?.tenantId === 'string' ? request.tenantId.trim() : '';

/** `"<kind> request: path: message; …"` for a request that failed its schema. */
export function requestIssues(kind: 'webhook' | 'poll', error: z.ZodError): string {
  return `${kind} request: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
}

export function webhookDraft(request: WebhookRequest, definition: IngressDefinition, now: number) {
  const base = WebhookRequestSchema.safeParse(request);
  const headers = normalizeHeaders(request?.headers);
  const externalFromHeaders = definition.deliveryIdHeaders.map((h) => headerValue(headers, h)).find((v) => v !== undefined);
  const draft: Draft = {
    admissionId: newId('trg', now),
    source: 'webhook',
    tenantId: base.success ? base.data.tenantId : looseTenant(request),
    externalId: (base.success ? base.data.externalId : null) || externalFromHeaders || null,
    partitionKey: base.success ? (base.data.partitionKey ?? null) : null,
    payload: request?.body,
    now,
  };
  return { draft, base, headers };
}

export function pollDraft(request: PollRequest, now: number) {
  const base = PollRequestSchema.safeParse(request);
  const draft: Draft = {
    admissionId: newId('trg', now),
    source: 'poll',
    tenantId: base.success ? base.data.tenantId : looseTenant(request),
    externalId: base.success ? (base.data.externalId ?? null) : null,
    partitionKey: base.success ? base.data.partitionKey : null,
    payload: request?.event,
    now,
  };
  return { draft, base };
}
