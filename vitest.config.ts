import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

// `source` resolves workspace packages to their TypeScript sources; the rest are Vite's server
// defaults (`defaultServerConditions`). (Listing `import` here would be forwarded to Node and make pg's CommonJS code load
// pg-pool's ESM wrapper.)
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    projects,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
