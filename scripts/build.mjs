// Builds dist/server.js and dist/cli.js: one ESM bundle per entry (esbuild), with the code each command loads
// lazily split into chunks. Loading ~2,000 small files (typebox and kysely ship hundreds each) was most of a cold
// start; a bundle is a handful of files. Types are checked by `npm run typecheck`, not here.
//
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when a source is newer than the last build
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const ENTRIES = ['server', 'cli'];
/** Source files dist/ holds as they are, at the same path: a worker thread's code (it gets no TypeScript loader). */
const COPIED = ['platform/smtp-thread.mjs'];

/**
 * Left out of the bundle and loaded from node_modules at run time: native addons, packages that read their own
 * files next to their code (Swagger UI's assets, pdfkit's fonts, …), big ones only some requests use, and
 * CommonJS packages whose named exports are read after an `import()` (inside a split bundle such an import
 * yields only `default`; Node's own loader gives the names).
 */
const EXTERNAL = [
  'better-sqlite3',
  '@node-rs/argon2',
  'pg-native',
  '@fastify/swagger-ui',
  'pdfkit',
  'exceljs',
  'date-holidays',
  'playwright-core',
  'ioredis',
  // `import('nodemailer/lib/shared/index.js')` reads `parseConnectionUrl` (mail.ts); the worker thread loads it too
  'nodemailer',
];

/**
 * Heavy CommonJS packages some module imports at top level (`import PDFDocument from 'pdfkit'`) though only a rare
 * request uses them: in the bundle their default import is a stand-in that loads the package on first use (a
 * construction, a call or a property read). pdfkit and exceljs alone are ~600 ms of CPU at start. Only default
 * imports are stood in for; the package must also be in EXTERNAL.
 */
const LOADED_ON_FIRST_USE = ['pdfkit', 'exceljs'];

const loadOnFirstUse = {
  name: 'load-on-first-use',
  setup(build) {
    const filter = new RegExp(
      `^(${LOADED_ON_FIRST_USE.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`,
    );
    build.onResolve({ filter }, (args) =>
      args.namespace === 'load-on-first-use'
        ? undefined
        : { path: args.path, namespace: 'load-on-first-use' },
    );
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, (args) => ({
      contents: `import { createRequire } from 'node:module';
const load = createRequire(import.meta.url);
let loaded;
const real = () => (loaded ??= load(${JSON.stringify(args.path)}));
export default new Proxy(function () {}, {
  construct: (_target, args) => Reflect.construct(real(), args),
  apply: (_target, self, args) => Reflect.apply(real(), self, args),
  get: (_target, key) => Reflect.get(real(), key),
  has: (_target, key) => Reflect.has(real(), key),
});
`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/ lacks an entry or a source (src/, the lock file, this script) changed since the last build. */
export function isStale() {
  if (!existsSync(STAMP) || ENTRIES.some((e) => !existsSync(join(DIST, `${e}.js`)))) return true;
  const built = statSync(STAMP).mtimeMs;
  // Without sources (a runtime image holds dist/ only) there is nothing to rebuild from.
  const inputs = [SRC, join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url)].filter(existsSync);
  return inputs.some((input) => newestMtime(input) > built);
}

/**
 * Source files that locate files through `import.meta.url` (templates, the CLI's entry check) see the URL they
 * would have in an unbundled dist/ tree: `src/a/b.ts` → `dist/a/b.js`, whichever chunk its code lands in.
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const asDist = `./${relative(SRC, args.path).replaceAll('\\', '/').replace(/\.ts$/, '.js')}`;
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(asDist)}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

export async function build() {
  const esbuild = await import('esbuild');
  const started = performance.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, join(SRC, `${e}.ts`)])),
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inside an ESM bundle still call require() for Node's modules and the externals.
    banner: {
      js: "import { createRequire as __crewCreateRequire } from 'node:module'; const require = __crewCreateRequire(import.meta.url);",
    },
    plugins: [keepModuleUrls, loadOnFirstUse],
    // Whitespace and syntax only: half the bytes for V8 to parse at start, names kept for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of COPIED) {
    mkdirSync(dirname(join(DIST, file)), { recursive: true });
    copyFileSync(join(SRC, file), join(DIST, file));
  }
  const outputs = Object.keys(result.metafile.outputs).map((p) => resolve(ROOT, p));
  removeOldOutputs(new Set([...outputs, ...COPIED.map((file) => join(DIST, file.split('/')[0]))]));
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return { ms: Math.round(performance.now() - started), files: Object.keys(result.metafile.outputs).length };
}

/**
 * Removes what an earlier build (or the old tsc build) left, once it is ten minutes old: a server started from
 * the previous build may still import one of its chunks lazily.
 */
function removeOldOutputs(current) {
  const cutoff = Date.now() - 10 * 60_000;
  for (const entry of readdirSync(DIST, { withFileTypes: true })) {
    const path = join(DIST, entry.name);
    if (current.has(path) || path === STAMP) continue;
    if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  const { ms, files } = await build();
  if (!process.argv.includes('--quiet')) console.error(`built dist/ (${files} files) in ${ms} ms`);
}
