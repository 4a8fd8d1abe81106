// Compiles the TypeScript of node services (and the libs they import) into dist/node/, keeping the
// repository layout so that path aliases resolve to relative imports. Usage: build-node.mjs <dir>...
import { transformFile } from '@swc/core';
import { createRequire } from 'node:module';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { root, swcOptions } = require('./paths.cjs');
const outRoot = path.join(root, 'dist', 'node');

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: build-node.mjs <source dir>...');
  process.exit(2);
}
let count = 0;
for (const dir of dirs) {
  for await (const file of sources(path.resolve(root, dir))) {
    const rel = path.relative(root, file);
    const out = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(file, { ...swcOptions(), filename: file, sourceFileName: path.relative(path.dirname(out), file) });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (map) await writeFile(`${out}.map`, map);
    count++;
  }
}
console.log(`build-node: ${count} files → ${path.relative(root, outRoot)}`);
