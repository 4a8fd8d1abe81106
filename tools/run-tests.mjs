// Runs the suite in stages and ends with one plain line: "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Jest loads ESM-only packages (puppeteer-core 25) through require(esm) with vm modules on.
const NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim();
const env = { ...process.env, NODE_OPTIONS, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NG_CLI_ANALYTICS: 'false', FORCE_COLOR: '0' };
const out = mkdtempSync(path.join(tmpdir(), 'engage-tests-'));
let passed = 0;
let failed = 0;

function run(title, cmd, args) {
  const t0 = Date.now();
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  console.log(`=== ${title}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

function jest(title, args) {
  const file = path.join(out, `${title}.json`);
  const ok = run(title, 'jest', [...args, '--json', `--outputFile=${file}`]);
  try {
    const res = JSON.parse(readFileSync(file, 'utf8'));
    passed += res.numPassedTests;
    failed += res.numFailedTests + (res.numRuntimeErrorTestSuites ?? 0);
  } catch {
    failed += 1;
  }
  if (!ok && failed === 0) failed = 1;
  return ok;
}

let ok = true;
const stage = (title, cmd, args) => {
  if (!run(title, cmd, args)) {
    ok = false;
    failed += 1;
  }
};
stage('lint', 'nx', ['run-many', '-t', 'lint', '--parallel=2', '--outputStyle=static']);
stage('boundaries', 'node', ['tools/check-boundaries.mjs']);
stage('typecheck', 'nx', ['run-many', '-t', 'typecheck', '--parallel=2', '--outputStyle=static']);
// Built before the unit stage too: some integration specs (the SFU loopback) start the built services.
stage('build', 'nx', ['run-many', '-t', 'build', '--parallel=2', '--outputStyle=static']);
if (!jest('unit', ['--ci'])) ok = false;
if (ok) {
  if (!jest('e2e', ['--ci', '-c', 'frontend/desk-e2e/jest.config.js'])) ok = false;
} else {
  console.log('\n=== e2e: skipped because an earlier stage failed');
}
rmSync(out, { recursive: true, force: true });
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
