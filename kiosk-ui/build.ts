/**
 * Builds the kiosk pages: esbuild bundles src/main.tsx (and the CSS it imports) into
 * dist/kiosk-ui/app-<hash>.js and app-<hash>.css, minified for ES2022, and writes dist/kiosk-ui/index.html
 * from kiosk-ui/index.html with the hashed names (so a kiosk never runs a stale cached bundle). Prints the
 * shipped size gzipped: the budget is 300 KB (fonts aside: the pages use the system's CJK fonts).
 *
 *   node --import tsx kiosk-ui/build.ts [--out DIR]
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : join(root, 'dist', 'kiosk-ui');
const BUDGET_GZIP_BYTES = 300 * 1024;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  outdir: outDir,
  metafile: true,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => join(root, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) throw new Error(`kiosk-ui build: expected a .js and a .css output, got ${outputs.map((p) => basename(p)).join(', ')}`);

const template = readFileSync(join(here, 'index.html'), 'utf8');
const html = template.replace('%JS%', `./${basename(js)}`).replace('%CSS%', `./${basename(css)}`);
if (html.includes('%')) throw new Error('kiosk-ui build: index.html has a placeholder left');
writeFileSync(join(outDir, 'index.html'), html);

let raw = 0;
let gzipped = 0;
for (const name of readdirSync(outDir)) {
  const bytes = readFileSync(join(outDir, name));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kb = (n: number): string => (n / 1024).toFixed(1);
console.log(`kiosk-ui: ${relative(process.cwd(), outDir) || '.'} ${kb(raw)} KB, ${kb(gzipped)} KB gzipped (budget ${kb(BUDGET_GZIP_BYTES)} KB)`);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error(`kiosk-ui: the bundle is over its budget of ${kb(BUDGET_GZIP_BYTES)} KB gzipped`);
  process.exitCode = 1;
}
