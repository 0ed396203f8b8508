// `pnpm conformance [connector...] [--format human|json] [--output report.json]`
// Runs the connector conformance engine on every connector of the workspace in the current
// directory (`connectors/*`), or the named ones. Discovery rule and suites: guides/conformance.md.
import { runConformanceCli } from '../packages/conformance/src/index';

process.exitCode = await runConformanceCli(process.argv.slice(2));
