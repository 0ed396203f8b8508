// `pnpm conformance [connector...] [--format human|json] [--output report.json]`
// Runs the connector conformance engine on every connector of this workspace (or the named ones).
// The discovery rule and the suites are documented in guides/conformance.md.
import { runConformanceCli } from '../packages/conformance/src/index';

process.exitCode = await runConformanceCli(process.argv.slice(2), { cwd: new URL('..', import.meta.url).pathname });
