import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  SecretEnvelopeSchema,
  integrationError,
  parseAt,
  type Logger,
  type SecretEnvelope,
  type SecretSealer,
} from '@integration/contracts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Versioned AAD prefix: an envelope only opens for the record id it was sealed for. */
const AAD_PREFIX = 'integration.auth.v1:';

const base64Key = z
  .string()
  .min(1)
  .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === KEY_BYTES, {
    message: `must be base64 of exactly ${KEY_BYTES} bytes`,
  });

export const KeyRingConfigSchema = z.strictObject({
  keys: z.record(z.string().min(1), base64Key),
  activeKeyId: z.string().min(1),
});
export type KeyRingConfig = z.infer<typeof KeyRingConfigSchema>;

export type AuthEnvironment = 'development' | 'production' | 'test';

/**
 * The credential sealing key ring: the active key seals, every key in the ring opens. Sealing is
 * AES-256-GCM with a 12-byte random IV and the record id bound as additional authenticated data.
 */
export class KeyRing implements SecretSealer {
  readonly activeKeyId: string;
  readonly #keys: Map<string, Buffer>;

  private constructor(keys: Map<string, Buffer>, activeKeyId: string) {
    this.#keys = keys;
    this.activeKeyId = activeKeyId;
  }

  /** Builds a ring from `{ keys: { kid: base64 }, activeKeyId }`; a missing active key is a startup error. */
  static fromConfig(config: unknown): KeyRing {
    if (config === undefined || config === null) {
      throw integrationError('key_configuration_missing', 'no credential sealing keys are configured (secrets: { keys, activeKeyId })');
    }
    const parsed = parseAt(KeyRingConfigSchema, config, 'secrets');
    if (Object.keys(parsed.keys).length === 0) {
      throw integrationError('key_configuration_missing', 'secrets.keys is empty: configure at least one 32-byte key');
    }
    const key = parsed.keys[parsed.activeKeyId];
    if (key === undefined) {
      throw integrationError('key_configuration_missing', `secrets.activeKeyId "${parsed.activeKeyId}" is not in secrets.keys`, {
        details: { activeKeyId: parsed.activeKeyId, keyIds: Object.keys(parsed.keys) },
      });
    }
    const keys = new Map(Object.entries(parsed.keys).map(([kid, value]) => [kid, Buffer.from(value, 'base64')] as const));
    return new KeyRing(keys, parsed.activeKeyId);
  }

  /**
   * Resolves the ring for an environment: configured keys win; development without keys gets a
   * generated, process-local key and a loud warning; anywhere else missing keys are an error.
   */
  static forEnvironment(config: unknown, environment: AuthEnvironment, logger: Logger): KeyRing {
    if (config !== undefined && config !== null) return KeyRing.fromConfig(config);
    if (environment !== 'development') {
      throw integrationError(
        'key_configuration_missing',
        `no credential sealing keys are configured for environment "${environment}"; pass secrets: { keys: { <kid>: <base64 32 bytes> }, activeKeyId }`,
        { details: { environment } },
      );
    }
    const kid = `dev-${randomBytes(4).toString('hex')}`;
    logger.warn(
      { event: 'auth.keyring.generated', kid, environment },
      'NO CREDENTIAL SEALING KEYS CONFIGURED: generated a throwaway development key. Credentials sealed now cannot be opened after a restart. Never run like this in production.',
    );
    return new KeyRing(new Map([[kid, randomBytes(KEY_BYTES)]]), kid);
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  hasKey(kid: string): boolean {
    return this.#keys.has(kid);
  }

  seal(recordId: string, plaintext: string): SecretEnvelope {
    const key = this.#keys.get(this.activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(AAD_PREFIX + recordId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      alg: 'A256GCM',
      kid: this.activeKeyId,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  open(recordId: string, envelope: SecretEnvelope): string {
    const parsed = SecretEnvelopeSchema.safeParse(envelope);
    if (!parsed.success) throw unsealable(recordId, 'malformed envelope', null);
    const { kid } = parsed.data;
    const key = this.#keys.get(kid);
    if (!key) throw unsealable(recordId, `key "${kid}" is not in the key ring`, kid);
    const iv = Buffer.from(parsed.data.iv, 'base64');
    const tag = Buffer.from(parsed.data.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw unsealable(recordId, 'malformed envelope', kid);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(AAD_PREFIX + recordId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(parsed.data.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw unsealable(recordId, 'authentication failed (wrong key, wrong record or tampered envelope)', kid);
    }
  }

  /** True when the envelope was sealed under a key other than the active one. */
  needsRewrap(envelope: SecretEnvelope): boolean {
    return envelope.kid !== this.activeKeyId;
  }
}

function unsealable(recordId: string, reason: string, kid: string | null) {
  return integrationError('credential_unsealable', `cannot open the sealed secret of ${recordId}: ${reason}`, {
    details: { recordId, kid, reason },
  });
}

/** A fresh random key, base64, for `secrets.keys`. */
export function generateSealingKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}
