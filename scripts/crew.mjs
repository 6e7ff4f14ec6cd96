// `npm run crew -- <args>`: the compiled CLI (dist/cli.js), rebuilt first only when a source changed since the
// last build, in this same process: no TypeScript loader, one Node start.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const { build, isStale } = await import('./build.mjs');
if (isStale()) await build();
// dist/cli.js runs its command when it is the program being run (process.argv[1]): it is, on our behalf.
process.argv[1] = cli;
await import(pathToFileURL(cli).href);
