// Bundles the customer widget: dist/widget/widget.js (launcher, chat, consent; small, loaded on
// every page) and dist/widget/recorder.js (rrweb; loaded only after the customer accepts
// co-browsing). Both IIFE, ES2020, minified.
// Usage: node libs/cobrowse-snippet/build.mjs [--watch]
import { build, context } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist/widget');

const bundles = [
  { name: 'widget', entry: 'libs/cobrowse-snippet/src/index.ts', budget: 32 * 1024 },
  { name: 'recorder', entry: 'libs/cobrowse-snippet/src/recorder/index.ts', budget: 80 * 1024 },
];

const optionsFor = (b) => ({
  absWorkingDir: root,
  entryPoints: [b.entry],
  outfile: path.join(outdir, `${b.name}.js`),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  tsconfig: 'libs/cobrowse-snippet/tsconfig.json',
  logLevel: 'warning',
});

await mkdir(outdir, { recursive: true });
if (process.argv.includes('--watch')) {
  for (const b of bundles) {
    const ctx = await context(optionsFor(b));
    await ctx.watch();
    console.log(`${b.name}: watching → ${path.relative(root, optionsFor(b).outfile)}`);
  }
} else {
  let over = false;
  for (const b of bundles) {
    const { outfile } = optionsFor(b);
    await build(optionsFor(b));
    const code = await readFile(outfile);
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`${b.name}: ${path.relative(root, outfile)} ${(code.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzip (${gz} bytes)`);
    if (gz > b.budget) {
      console.error(`${b.name}: over the ${b.budget / 1024} KB gzip budget`);
      over = true;
    }
  }
  if (over) process.exit(1);
}
