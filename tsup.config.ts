import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

interface ExportEntry {
  source: string;
  import: string;
}

/**
 * The one build of every workspace package (run from the package directory by its `build` script).
 * The entries are derived from the package's `exports` map — each subpath's `source` file builds to
 * its `import` file — so the two can never disagree.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, ExportEntry> };
const entry = Object.fromEntries(
  Object.values(pkg.exports).map((e) => [e.import.replace(/^\.\/dist\//, '').replace(/\.js$/, ''), e.source]),
);

export default defineConfig({
  entry,
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
