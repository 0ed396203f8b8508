import type { VerificationScheme } from '@integration/contracts';
import { decodeBase64, decodeHex, hmacSha256, sameBytes, toBytes } from './crypto';

/** What a definition verifies a webhook against. Several secrets may be active during rotation. */
export interface VerificationConfig {
  scheme: VerificationScheme;
  secrets: string[];
  /** Header carrying the signature, for schemes whose header is configurable. */
  header?: string;
  /** Allowed clock skew for schemes that sign a timestamp (Standard Webhooks, Stripe). Default 300. */
  toleranceSeconds?: number;
}

export type VerificationFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_timestamp'
  | 'timestamp_outside_tolerance'
  | 'signature_mismatch'
  | 'invalid_secret';

export type VerificationOutcome = { ok: true } | { ok: false; reason: VerificationFailure };

export interface SignedRequest {
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The exact bytes received; never a re-serialisation. */
  rawBody: Uint8Array | string;
  /** Milliseconds since the epoch (from the injected clock). */
  now: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The header each scheme reads by default. */
export const defaultSignatureHeader: Record<VerificationScheme, string> = {
  github: 'x-hub-signature-256',
  hmac_sha256: 'x-signature',
  standard_webhooks: 'webhook-signature',
  stripe: 'stripe-signature',
  notion: 'x-notion-signature',
};

const fail = (reason: VerificationFailure): VerificationOutcome => ({ ok: false, reason });
const OK: VerificationOutcome = { ok: true };

export function signatureHeaderOf(config: Pick<VerificationConfig, 'scheme' | 'header'>): string {
  return (config.header ?? defaultSignatureHeader[config.scheme]).toLowerCase();
}

/**
 * Verifies a webhook signature over the raw body bytes with constant-time comparison. Never throws
 * for hostile input: every malformed header, timestamp or secret is a failure with a reason.
 */
export function verifySignature(config: VerificationConfig, request: SignedRequest): VerificationOutcome {
  const secrets = config.secrets.filter((s) => typeof s === 'string' && s.length > 0);
  if (secrets.length === 0) return fail('invalid_secret');
  const tolerance = config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const headerName = signatureHeaderOf(config);
  const header = request.headers[headerName];
  if (header === undefined || header.trim() === '') return fail('missing_signature');
  switch (config.scheme) {
    case 'github':
    case 'notion':
      return verifyPrefixedHex(header, secrets, request.rawBody, true);
    case 'hmac_sha256':
      return verifyPrefixedHex(header, secrets, request.rawBody, false);
    case 'standard_webhooks':
      return verifyStandardWebhooks(header, secrets, request, tolerance);
    case 'stripe':
      return verifyStripe(header, secrets, request, tolerance);
    default:
      return fail('invalid_secret');
  }
}

/** `sha256=<hex>` (GitHub, Notion; required prefix) or `[sha256=]<hex>` (generic HMAC). */
function verifyPrefixedHex(header: string, secrets: string[], body: Uint8Array | string, prefixRequired: boolean): VerificationOutcome {
  const value = header.trim();
  let hex: string;
  if (value.startsWith('sha256=')) hex = value.slice('sha256='.length);
  else if (prefixRequired) return fail('malformed_signature');
  else hex = value;
  const received = decodeHex(hex);
  if (!received || received.length !== 32) return fail('malformed_signature');
  for (const secret of secrets) {
    if (sameBytes(hmacSha256(secret, body), received)) return OK;
  }
  return fail('signature_mismatch');
}

function withinTolerance(timestampSeconds: string, now: number, toleranceSeconds: number): boolean | null {
  if (!/^\d{1,12}$/.test(timestampSeconds)) return null;
  const ts = Number(timestampSeconds);
  return Math.abs(now / 1000 - ts) <= toleranceSeconds;
}

/** Standard Webhooks secret: `whsec_<base64>` (the prefix is optional); the key is the decoded bytes. */
export function standardWebhooksKey(secret: string): Buffer | null {
  return decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
}

function verifyStandardWebhooks(header: string, secrets: string[], request: SignedRequest, tolerance: number): VerificationOutcome {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  if (!id) return fail('malformed_signature');
  if (!timestamp) return fail('missing_timestamp');
  const inWindow = withinTolerance(timestamp.trim(), request.now, tolerance);
  if (inWindow === null) return fail('missing_timestamp');
  if (!inWindow) return fail('timestamp_outside_tolerance');
  const candidates: Buffer[] = [];
  for (const part of header.trim().split(/\s+/)) {
    const comma = part.indexOf(',');
    if (comma <= 0 || part.slice(0, comma) !== 'v1') continue;
    const decoded = decodeBase64(part.slice(comma + 1));
    if (decoded && decoded.length === 32) candidates.push(decoded);
  }
  if (candidates.length === 0) return fail('malformed_signature');
  const keys = secrets.map(standardWebhooksKey);
  if (keys.every((k) => k === null)) return fail('invalid_secret');
  for (const key of keys) {
    if (!key) continue;
    const expected = hmacSha256(key, `${id}.${timestamp.trim()}.`, toBytes(request.rawBody));
    if (candidates.some((c) => sameBytes(expected, c))) return OK;
  }
  return fail('signature_mismatch');
}

function verifyStripe(header: string, secrets: string[], request: SignedRequest, tolerance: number): VerificationOutcome {
  let timestamp: string | undefined;
  const candidates: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') timestamp = timestamp ?? value;
    else if (key === 'v1') {
      const decoded = decodeHex(value);
      if (decoded && decoded.length === 32) candidates.push(decoded);
    }
  }
  if (timestamp === undefined) return fail('missing_timestamp');
  const inWindow = withinTolerance(timestamp, request.now, tolerance);
  if (inWindow === null) return fail('missing_timestamp');
  if (!inWindow) return fail('timestamp_outside_tolerance');
  if (candidates.length === 0) return fail('malformed_signature');
  for (const secret of secrets) {
    const expected = hmacSha256(secret, `${timestamp}.`, toBytes(request.rawBody));
    if (candidates.some((c) => sameBytes(expected, c))) return OK;
  }
  return fail('signature_mismatch');
}
