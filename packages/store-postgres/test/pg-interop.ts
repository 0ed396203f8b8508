import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Test-only interop shim. The root vitest config forwards its SSR resolve conditions (which
 * include `import`) to Node as `--conditions`, so inside the test workers `require('pg-pool')`
 * from pg's CommonJS code resolves to pg-pool's ESM wrapper and `class extends Pool` fails.
 * Seeding the require cache with the CommonJS build under the ESM path restores what plain Node
 * does. Outside vitest (tsx, node) this changes nothing.
 */
const require = createRequire(import.meta.url);
const pgLib = join(dirname(require.resolve('pg/package.json')), 'lib', 'index.js');
const fromPg = createRequire(pgLib);
const resolved = fromPg.resolve('pg-pool');
if (resolved.endsWith('.mjs')) {
  const cjsPath = join(dirname(resolved), '..', 'index.js');
  fromPg(cjsPath);
  require.cache[resolved] = require.cache[cjsPath];
}
