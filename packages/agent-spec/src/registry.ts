import type { z } from 'zod';
import type { ActionDefinition, ControlDefinition, ResourceDefinition } from './definitions';
import { invalidDocument, unknownRegistryRef } from './errors';

/** A registry: a plain object (own properties only) or a Map, keyed by the exact ref. */
export type Registry<T> = Readonly<Record<string, T>> | ReadonlyMap<string, T>;

export interface Registries {
  actions?: Registry<ActionDefinition>;
  controls?: Registry<ControlDefinition>;
  contextSchemas?: Registry<z.ZodType>;
  resultSchemas?: Registry<z.ZodType>;
  resources?: Registry<ResourceDefinition>;
}

export const registryNames = ['actions', 'controls', 'contextSchemas', 'resultSchemas', 'resources'] as const;
export type RegistryName = (typeof registryNames)[number];

/**
 * Refs that never resolve, whatever the registry holds: every name `Object.prototype` answers to
 * (`__proto__`, `constructor`, `toString`, `hasOwnProperty`, …).
 */
export function isReservedRef(ref: string): boolean {
  return ref in Object.prototype;
}

/**
 * Picks each registry from the top-level option or from `registries`; giving the same registry
 * both ways is an error rather than a silent precedence rule.
 */
export function collectRegistries(options: Partial<Record<RegistryName, unknown>> & { registries?: unknown }): Registries {
  const nested = options.registries;
  if (nested !== undefined && (typeof nested !== 'object' || nested === null || nested instanceof Map)) {
    throw invalidDocument('registries must be an object with actions, controls, contextSchemas, resultSchemas or resources', {
      kind: 'invalid_registry',
      registry: 'registries',
    });
  }
  const out: Registries = {};
  for (const name of registryNames) {
    const top = options[name];
    const inner = nested ? (Object.hasOwn(nested, name) ? (nested as Record<string, unknown>)[name] : undefined) : undefined;
    if (top !== undefined && inner !== undefined) {
      throw invalidDocument(`the ${name} registry is given both as an option and in registries; pass it once`, {
        kind: 'registry_conflict',
        registry: name,
      });
    }
    const registry = top ?? inner;
    if (registry === undefined) continue;
    if (typeof registry !== 'object' || registry === null || Array.isArray(registry)) {
      throw invalidDocument(`the ${name} registry must be an object or a Map`, { kind: 'invalid_registry', registry: name });
    }
    (out as Record<string, unknown>)[name] = registry;
  }
  return out;
}

/** Exact, case-sensitive lookup of own entries; a miss is `unknown_registry_ref`. */
export function resolveRef<T>(registries: Registries, name: RegistryName, ref: string, path: string, isValid: (value: unknown) => boolean, expected: string): T {
  const registry = registries[name] as Registry<unknown> | undefined;
  let value: unknown;
  let found = false;
  if (registry && !isReservedRef(ref)) {
    if (registry instanceof Map) {
      found = registry.has(ref);
      value = found ? registry.get(ref) : undefined;
    } else if (Object.hasOwn(registry, ref)) {
      found = true;
      value = (registry as Record<string, unknown>)[ref];
    }
  }
  if (!found) throw unknownRegistryRef(name, ref, path);
  if (!isValid(value)) {
    throw invalidDocument(`the ${name} registry entry "${ref}" (used at ${path}) is not ${expected}`, {
      kind: 'invalid_registry_value',
      registry: name,
      ref,
      path,
    });
  }
  return value as T;
}

/** Reverse lookup by identity (used by exportAgent to find the ref of a schema or definition). */
export function refOf(registries: Registries, name: RegistryName, value: unknown): string | null {
  const registry = registries[name] as Registry<unknown> | undefined;
  if (!registry) return null;
  const entries = registry instanceof Map ? [...registry.entries()] : Object.entries(registry);
  for (const [key, candidate] of entries) if (candidate === value && typeof key === 'string' && !isReservedRef(key)) return key;
  return null;
}
