import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Every package, connector and app with a test/ folder is one vitest project.
// `source` resolves workspace packages to their TypeScript sources, so tests never need a build.
const groups = ['packages', 'connectors', 'apps'];

export const projects = groups.flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .filter((name) => existsSync(join(group, name, 'test')))
        .map((name) => ({
          extends: true as const,
          test: {
            name: `${group === 'packages' ? '' : `${group}/`}${name}`,
            root: join(group, name),
            include: ['test/**/*.test.ts'],
          },
        }))
    : [],
);

export default projects;
