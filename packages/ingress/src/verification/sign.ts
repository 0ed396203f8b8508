import type { VerificationScheme } from '@integration/contracts';
import { hmacSha256, toBytes } from './crypto';
import { defaultSignatureHeader, standardWebhooksKey } from './schemes';

export interface SignOptions {
  secret: string;
  rawBody: Uint8Array | string;
  /** Seconds since the epoch, for schemes that sign a timestamp. Default: now. */
  timestampSeconds?: number;
  /** Message id for Standard Webhooks (`webhook-id`). */
  id?: string;
  header?: string;
}

/**
 * Produces the headers a provider would send for `rawBody` under a scheme. For tests, local tools
 * and senders; the verifier never calls it.
 */
export function signWebhook(scheme: VerificationScheme, options: SignOptions): Record<string, string> {
  const header = (options.header ?? defaultSignatureHeader[scheme]).toLowerCase();
  const body = toBytes(options.rawBody);
  const ts = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  switch (scheme) {
    case 'github':
    case 'notion':
    case 'hmac_sha256':
      return { [header]: `sha256=${hmacSha256(options.secret, body).toString('hex')}` };
    case 'stripe':
      return { [header]: `t=${ts},v1=${hmacSha256(options.secret, `${ts}.`, body).toString('hex')}` };
    case 'standard_webhooks': {
      const key = standardWebhooksKey(options.secret);
      if (!key) throw new TypeError('a Standard Webhooks secret is whsec_<base64>');
      const id = options.id ?? `msg_${ts}`;
      return {
        'webhook-id': id,
        'webhook-timestamp': ts,
        [header]: `v1,${hmacSha256(key, `${id}.${ts}.`, body).toString('base64')}`,
      };
    }
    default:
      throw new TypeError(`unknown verification scheme ${String(scheme)}`);
  }
}
