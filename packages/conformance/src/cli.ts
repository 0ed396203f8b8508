import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverConnectorPackages, loadConnectorPackage, type ConnectorPackage } from './discovery';
import { runConformance } from './engine';
import type { ConformanceProgress } from './options';
import type { ConformanceReport, ConformanceRun } from './report';
import { renderHumanRun, renderJson } from './render';
import { describeError } from './suites/support';

export interface CliIo {
  /** Workspace root holding `connectors/` (default: process.cwd()). */
  cwd?: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export const CLI_USAGE = 'usage: pnpm conformance [connector...] [--format human|json] [--output report.json]';

const norm = (value: string) => value.toLowerCase().replace(/_/g, '-').replace(/^@[^/]+\//, '').replace(/^connector-/, '');

function progressLine(event: ConformanceProgress): string | null {
  switch (event.type) {
    case 'connector.started':
      return `conformance: ${event.connectorId ?? event.target} (${event.target})`;
    case 'suite.finished':
      return `  ${event.status === 'passed' ? 'PASS' : event.status === 'failed' ? 'FAIL' : 'SKIP'} ${event.suite} - ${event.summary}`;
    case 'fixture.started':
      return `    running ${event.fixture} (${event.suite}, run ${event.run})`;
    case 'connector.finished':
      return `  => ${event.status === 'passed' ? 'PASS' : 'FAIL'}`;
    default:
      return null;
  }
}

/**
 * `pnpm conformance [connector...] [--format human|json] [--output file]`: runs every workspace
 * connector (or the named ones: directory, package name or connector id) and prints the report.
 * Progress goes to stderr; `--output` always writes JSON. Returns the exit code: 0 all passed,
 * 1 a check failed or a package could not be loaded, 2 bad usage or an unknown connector name.
 */
export async function runConformanceCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { format: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    err(`${describeError(error)}\n${CLI_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out(`${CLI_USAGE}\n`);
    return 0;
  }
  const format = parsed.values.format ?? 'human';
  if (format !== 'human' && format !== 'json') {
    err(`unknown --format ${format} (human or json)\n${CLI_USAGE}\n`);
    return 2;
  }
  const packages = discoverConnectorPackages(io.cwd ?? process.cwd());
  const names = parsed.positionals;
  const loaded: Array<{ pkg: ConnectorPackage; connectors: Awaited<ReturnType<typeof loadConnectorPackage>> }> = [];
  const errors: ConformanceRun['errors'] = [];
  const load = async (pkg: ConnectorPackage) => {
    if (loaded.some((l) => l.pkg === pkg) || errors.some((e) => e.target === pkg.name)) return;
    try {
      loaded.push({ pkg, connectors: await loadConnectorPackage(pkg) });
    } catch (error) {
      errors.push({ target: pkg.name, code: (error as { code?: string })?.code ?? 'load_failed', message: describeError(error) });
    }
  };

  let selected: Array<{ pkg: ConnectorPackage; connector: Awaited<ReturnType<typeof loadConnectorPackage>>[number] }> = [];
  if (names.length === 0) {
    for (const pkg of packages) await load(pkg);
    selected = loaded.flatMap((l) => l.connectors.map((connector) => ({ pkg: l.pkg, connector })));
  } else {
    for (const name of names) {
      const wanted = norm(name);
      const byPackage = packages.filter((p) => norm(basename(p.dir)) === wanted || norm(p.name) === wanted);
      // Not a package name: load every package and match connector ids.
      for (const pkg of byPackage.length > 0 ? byPackage : packages) await load(pkg);
      const matches = loaded.flatMap((l) =>
        l.connectors.filter((c) => byPackage.includes(l.pkg) || norm(c.id) === wanted).map((connector) => ({ pkg: l.pkg, connector })),
      );
      if (matches.length === 0 && !errors.some((e) => byPackage.some((p) => p.name === e.target))) {
        err(`unknown connector "${name}" (known: ${packages.map((p) => basename(p.dir)).join(', ')})\n`);
        return 2;
      }
      for (const match of matches) if (!selected.some((s) => s.connector === match.connector)) selected.push(match);
    }
  }
  for (const e of errors) err(`conformance: ${e.target}: could not load (${e.message})\n`);
  if (packages.length === 0) err(`conformance: no connector packages under ${join(io.cwd ?? process.cwd(), 'connectors')}\n`);

  const reports: ConformanceReport[] = [];
  for (const { pkg, connector } of selected) {
    reports.push(
      await runConformance(connector, {
        target: pkg.name,
        onProgress: (event) => {
          const line = progressLine(event);
          if (line) err(`${line}\n`);
        },
      }),
    );
  }
  const run: ConformanceRun = {
    status: errors.length === 0 && reports.length > 0 && reports.every((r) => r.status === 'passed') ? 'passed' : 'failed',
    generatedAt: new Date().toISOString(),
    reports,
    errors,
  };
  if (parsed.values.output) await writeFile(parsed.values.output, renderJson(run));
  out(format === 'json' ? renderJson(run) : renderHumanRun(run));
  return run.status === 'passed' ? 0 : 1;
}
