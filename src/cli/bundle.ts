// Bundles handlers as serverless.yml's esbuild settings do (both read BUNDLE from src/resources.json), for the
// container image's build (Dockerfile) and the bench's cold start: one definition of the bundle, three users.
//   npx tsx src/cli/bundle.ts OUT_DIR ENTRY...     e.g. dist/handlers handlers/classify.ts
import { parseArgs } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { runCli } from './run.js';
import { BUNDLE } from '../resources.js';

const USAGE = 'usage: tsx src/cli/bundle.ts OUT_DIR ENTRY...   (bundles each ENTRY to OUT_DIR/<name>.mjs)';

/** esbuild options for a handler bundle; `output` is outdir or outfile. */
export function bundleOptions(output: Pick<BuildOptions, 'outdir' | 'outfile'>): BuildOptions {
  const { outExtension, banner, format, platform, sourcemap, ...rest } = BUNDLE;
  return {
    ...rest,
    ...output,
    bundle: true,
    format: format as BuildOptions['format'],
    platform: platform as BuildOptions['platform'],
    sourcemap: sourcemap as BuildOptions['sourcemap'],
    outExtension: { '.js': outExtension },
    banner: { js: banner },
    logLevel: 'warning',
  };
}

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true });
  const [outdir, ...entryPoints] = positionals;
  if (!outdir || entryPoints.length === 0) return (console.error(USAGE), 2);
  await build({ ...bundleOptions({ outdir }), entryPoints });
  return 0;
}

runCli(import.meta.url, 'bundle', main, { usage: USAGE });
