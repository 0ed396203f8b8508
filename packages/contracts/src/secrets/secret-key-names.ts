/**
 * The key-name heuristic: an opt-in for free-form log payloads only (`redact(v, { keyNames: true })`).
 * It never runs on provider data, outputs, artifacts or records, where secrets are known by value
 * and by declaration instead.
 */

/** Normalised key names (lower-case, alphanumerics only) that always hold a secret. */
const exactSecretKeys = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'passphrase', 'passwd']);

/**
 * Normalised suffixes that mark a secret. Matching the end of the key (not any substring) keeps
 * `credentialRefId`, `maxTokens`, `tokenType`, `grantedScopes` and `secretName` visible.
 */
const secretSuffixes = ['token', 'secret', 'password', 'apikey', 'privatekey', 'accesskey', 'signingkey', 'clientassertion'];

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Log payloads reuse a small vocabulary of keys, so verdicts are cached (bounded). */
const keyVerdicts = new Map<string, boolean>();
const MAX_CACHED_KEYS = 4_096;

/** True for key names that conventionally hold a secret (`access_token`, `Authorization`, `apiKey`…). */
export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const normalized = normalizeKey(key);
    verdict = normalized.length > 0 && (exactSecretKeys.has(normalized) || secretSuffixes.some((suffix) => normalized.endsWith(suffix)));
    if (keyVerdicts.size >= MAX_CACHED_KEYS) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}
