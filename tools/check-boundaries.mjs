// Proves the module-boundary lint rule is alive: writes imports that ARCHITECTURE.md forbids into
// probe files, lints them, and fails unless eslint reports each one. (The rule silently skips
// itself when Nx has no project graph, so a green lint alone proves nothing.)
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const probes = [
  { file: 'libs/protocol/src/boundary-probe.ts', code: "import { memoryStore } from '@engage/chat-client';\nexport const probe = memoryStore;\n" },
  // Environment validation is for the node services: the Angular app may not use it, and it imports no project.
  { file: 'frontend/desk/src/boundary-probe.ts', code: "import { port } from '@engage/config-env';\nexport const probe = port;\n" },
  { file: 'libs/config-env/src/boundary-probe.ts', code: "import { EV } from '@engage/protocol';\nexport const probe = EV;\n" },
];
spawnSync('nx', ['show', 'projects'], { stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
let ok = true;
for (const p of probes) {
  writeFileSync(p.file, p.code);
  try {
    const r = spawnSync('eslint', ['--no-warn-ignored', p.file], { encoding: 'utf8' });
    if (!/@nx\/enforce-module-boundaries/.test(r.stdout)) {
      ok = false;
      console.error(`check-boundaries: ${p.file} imports across a boundary but eslint did not object:\n${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(p.file, { force: true });
  }
}
console.log(ok ? 'check-boundaries: the module-boundary rule rejects forbidden imports' : 'check-boundaries: FAILED');
process.exit(ok ? 0 : 1);
