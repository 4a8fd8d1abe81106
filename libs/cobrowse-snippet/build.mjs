// Bundles the customer widget into one small script: dist/widget/widget.js (IIFE, ES2020, minified).
// Usage: node libs/cobrowse-snippet/build.mjs [--watch]
import { build, context } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = path.join(root, 'dist/widget/widget.js');
const GZIP_BUDGET = 30 * 1024;

const options = {
  absWorkingDir: root,
  entryPoints: ['libs/cobrowse-snippet/src/index.ts'],
  outfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  tsconfig: 'libs/cobrowse-snippet/tsconfig.json',
  logLevel: 'warning',
};

await mkdir(path.dirname(outfile), { recursive: true });
if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log(`widget: watching → ${path.relative(root, outfile)}`);
} else {
  await build(options);
  const code = await readFile(outfile);
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`widget: ${path.relative(root, outfile)} ${(code.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzip (${gz} bytes)`);
  if (gz > GZIP_BUDGET) {
    console.error(`widget: over the ${GZIP_BUDGET / 1024} KB gzip budget`);
    process.exit(1);
  }
}
