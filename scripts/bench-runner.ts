/**
 * Runs a benchmark on the code as it ships, not as tsx serves it.
 *
 * tsx compiles with esbuild's `keepNames`, which wraps every function expression in a call that
 * redefines its `name` property: on a hot path that creates closures (a runtime's handler context,
 * a store's lookups), the wrapper alone cost ~4 µs per invoke. The published packages are built by
 * tsup (esbuild, no keepNames), so the benchmark is bundled the same way: workspace packages from
 * their sources (the `source` export condition), everything else (zod, pg, better-sqlite3, the
 * peers a benchmark compares against) left to Node as usual.
 *
 * Usage: tsx scripts/bench-runner.ts scripts/bench-invoke.ts [benchmark args…]
 * Extra Node flags for the benchmark process (a CPU profile, say) go in BENCH_NODE_ARGS:
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" pnpm bench:invoke
 * BENCH_KEEP_BUNDLE=1 leaves the bundle (`.<name>.bench.mjs` next to the entry) for reading a
 * profile's line numbers.
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: tsx scripts/bench-runner.ts <benchmark.ts> [args…]');
  process.exit(2);
}

/**
 * Workspace packages (and relative files) are bundled from source. Every other import stays
 * external, pointed at the file esbuild resolves from the importing package (pnpm keeps each
 * package's dependencies next to it, so a bare name would not resolve from the bundle's folder).
 */
const externalThirdParty: Plugin = {
  name: 'external-third-party',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@integration/') || args.pluginData === 'resolving') return undefined;
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true };
      const resolved = await bundle.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

// Next to the entry, so `import.meta.url`-relative paths (fixtures, forked children) still resolve.
const outfile = join(dirname(resolve(entry)), `.${basename(entry, '.ts')}.bench.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [externalThirdParty],
});

try {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const result = spawnSync(process.execPath, ['--enable-source-maps', ...nodeArgs, outfile, ...args], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  if (!process.env.BENCH_KEEP_BUNDLE) rmSync(outfile, { force: true });
}
