import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError, type ConnectorDefinition } from '@integration/contracts';
import { isRecord } from './suites/support';

/** A workspace connector package (`connectors/<dir>/package.json`). */
export interface ConnectorPackage {
  name: string;
  dir: string;
  /** The module the engine imports: the `source` entry of `exports["."]` when present, else `import`, else `main`. */
  entry: string;
}

export function isConnectorDefinition(value: unknown): value is ConnectorDefinition {
  return isRecord(value) && typeof value.id === 'string' && Array.isArray(value.capabilities) && Array.isArray(value.operations) && Array.isArray(value.triggers);
}

function entryOf(dir: string, pkg: Record<string, unknown>, preferSource: boolean): string | null {
  const exported = isRecord(pkg.exports) ? (pkg.exports as Record<string, unknown>)['.'] ?? pkg.exports : pkg.exports;
  const candidates: unknown[] = [];
  if (typeof exported === 'string') candidates.push(exported);
  else if (isRecord(exported)) candidates.push(...(preferSource ? [exported.source] : []), exported.import, exported.default);
  candidates.push(pkg.main);
  for (const candidate of candidates) if (typeof candidate === 'string' && existsSync(join(dir, candidate))) return resolve(dir, candidate);
  return null;
}

/**
 * The connector packages of a workspace: every `<root>/connectors/<dir>/package.json`, sorted by
 * directory. `preferSource` (default true) imports TypeScript sources, as `tsx --conditions=source` does.
 */
export function discoverConnectorPackages(root: string, options: { preferSource?: boolean } = {}): ConnectorPackage[] {
  const base = join(root, 'connectors');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => d.name)
    .sort()
    .flatMap((name) => {
      const dir = join(base, name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const entry = entryOf(dir, pkg, options.preferSource ?? true);
      return entry ? [{ name: typeof pkg.name === 'string' ? pkg.name : name, dir, entry }] : [];
    });
}

/** `@integration/connector-market-data` → `marketData`; `@acme/jira` → `jira`. */
export function factoryNameOf(packageName: string): string {
  const base = packageName.replace(/^@[^/]+\//, '').replace(/^connector-/, '');
  return base.replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

async function materialize(value: unknown, where: string): Promise<ConnectorDefinition[]> {
  const resolved = typeof value === 'function' ? await (value as () => unknown)() : await value;
  if (Array.isArray(resolved)) return (await Promise.all(resolved.map((v, i) => materialize(v, `${where}[${i}]`)))).flat();
  if (isConnectorDefinition(resolved)) return [resolved];
  throw new ValidationError('invalid_definition', `${where} is not a connector definition or a factory returning one`, { details: { where } });
}

/**
 * The connector definitions a package offers for conformance. The rule, first match wins:
 * 1. an export `conformanceTargets`: an array of definitions and/or zero-argument factories
 *    (sync or async), or a function returning such an array;
 * 2. the `default` export: a definition, a zero-argument factory, or an array of them;
 * 3. the export named after the package (`@integration/connector-market-data` → `marketData`):
 *    a definition or a zero-argument factory.
 * Factories are called with no arguments. A package matching none of them is an error.
 */
export async function connectorsOfModule(mod: Record<string, unknown>, packageName: string): Promise<ConnectorDefinition[]> {
  if (mod.conformanceTargets !== undefined) return materialize(mod.conformanceTargets, `${packageName}#conformanceTargets`);
  if (mod.default !== undefined) return materialize(mod.default, `${packageName}#default`);
  const name = factoryNameOf(packageName);
  if (mod[name] !== undefined) return materialize(mod[name], `${packageName}#${name}`);
  throw new ValidationError(
    'invalid_definition',
    `${packageName} exports no conformance target: export conformanceTargets, a default factory, or ${name}()`,
    { details: { packageName, expected: ['conformanceTargets', 'default', name] } },
  );
}

export async function loadConnectorPackage(pkg: ConnectorPackage): Promise<ConnectorDefinition[]> {
  const mod = (await import(pathToFileURL(pkg.entry).href)) as Record<string, unknown>;
  return connectorsOfModule(mod, pkg.name);
}
