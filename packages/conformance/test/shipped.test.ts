import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConformanceRunSchema, discoverConnectorPackages, failedChecks, loadConnectorPackage, runConformance } from '../src';

const root = resolve(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const script = join(root, 'scripts/conformance.ts');
const run = promisify(execFile);

async function cli(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['--conditions=source', script, ...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('every shipped connector passes', () => {
  const packages = discoverConnectorPackages(root);

  it('discovers the workspace connectors', () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@integration/connector-codex-cli', '@integration/connector-github', '@integration/connector-market-data', '@integration/connector-notes', '@integration/connector-notion']),
    );
  });

  for (const pkg of discoverConnectorPackages(root)) {
    it(`${pkg.name}`, { timeout: 120_000 }, async () => {
      const connectors = await loadConnectorPackage(pkg);
      expect(connectors.length).toBeGreaterThan(0);
      for (const connector of connectors) {
        const report = await runConformance(connector, { target: pkg.name });
        expect(failedChecks(report).map(({ suite, check }) => `${suite}/${check.id}: ${check.message}`)).toEqual([]);
        expect(report.status).toBe('passed');
        // Fixtures really ran: both fixture suites have passing checks.
        expect(report.suites.find((s) => s.id === 'deterministic_fixtures')!.status).toBe('passed');
        expect(report.suites.find((s) => s.id === 'secret_redaction')!.status).toBe('passed');
      }
    });
  }
});

describe('pnpm conformance (the CLI in a child process)', () => {
  it('--format json over the whole workspace: every connector passes, exit 0, --output holds the same JSON', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-cli-'));
    try {
      const output = join(dir, 'report.json');
      const result = await cli(['--format', 'json', '--output', output]);
      expect(result.stderr).toContain('PASS manifest_contract');
      expect(result.code).toBe(0);
      const parsed = ConformanceRunSchema.parse(JSON.parse(result.stdout));
      expect(parsed.status).toBe('passed');
      expect(parsed.errors).toEqual([]);
      expect(parsed.reports.map((r) => r.connectorId).sort()).toEqual(['codex_cli', 'github', 'market_data', 'notes', 'notion']);
      expect(JSON.parse(await readFile(output, 'utf8'))).toEqual(JSON.parse(result.stdout));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs only the named connectors (by directory or connector id) and prints the human report', { timeout: 120_000 }, async () => {
    const result = await cli(['market_data']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Connector:    market_data');
    expect(result.stdout).toContain('[PASS] deterministic_fixtures');
    expect(result.stdout).toContain('Overall: PASS');
    expect(result.stdout).not.toContain('Connector:    github');
  });

  it('exits 1 with the failing checks when a connector fails, 2 on bad usage or an unknown name', { timeout: 120_000 }, async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'conformance-ws-'));
    try {
      const pkgDir = join(workspace, 'connectors', 'broken');
      await mkdir(pkgDir, { recursive: true });
      await writeFile(join(pkgDir, 'package.json'), JSON.stringify({ name: '@acme/connector-broken', type: 'module', exports: { '.': { import: './index.js' } } }));
      // A hand-built definition: no auth, no catalog, no capabilities, no fixtures.
      await writeFile(join(pkgDir, 'index.js'), "export const conformanceTargets = [() => ({ id: 'broken', operations: [], triggers: [], capabilities: [], runtimeFamilies: [], conformance: null, metadata: {} })];\n");
      const failing = await cli(['--format', 'json'], workspace);
      expect(failing.code).toBe(1);
      const parsed = ConformanceRunSchema.parse(JSON.parse(failing.stdout));
      expect(parsed.status).toBe('failed');
      const ids = failedChecks(parsed.reports[0]!).map((f) => f.check.id);
      expect(ids).toEqual(expect.arrayContaining(['manifest.auth', 'manifest.catalog', 'manifest.capabilities_present', 'fixtures.present']));

      const human = await cli([], workspace);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain('[FAIL] manifest_contract');
      expect(human.stdout).toContain('  x fixtures.present: the connector declares no fixtures');

      expect((await cli(['nope'], workspace)).code).toBe(2);
      expect((await cli(['--format', 'xml'], workspace)).code).toBe(2);
      expect((await cli(['--bogus'], workspace)).code).toBe(2);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
