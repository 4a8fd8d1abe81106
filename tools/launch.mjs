// Builds and starts the platform's services in dependency order; stops them in reverse on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NG_CLI_ANALYTICS: 'false' };
const build = spawnSync('nx', ['run-many', '-t', 'build', '--parallel=2', '--outputStyle=static'], { stdio: 'inherit', env });
if (build.status !== 0) {
  console.error('launch: the build failed, see above.');
  process.exit(1);
}

const services = [];
function start(name, args, readyMarker, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    services.push({ name, child });
    let buf = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      buf += d.toString();
      const i = buf.indexOf(readyMarker);
      if (i >= 0) {
        const line = buf.slice(i + readyMarker.length).split('\n')[0];
        resolve(JSON.parse(line));
        buf = '';
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const { name, child } of [...services].reverse()) {
    if (child.exitCode !== null) continue;
    console.log(`launch: stopping ${name}`);
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  }
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

try {
  // The SFU first (the backend orders it), with a secret shared by the two for this run only.
  const sfuSecret = process.env.SFU_SECRET || randomBytes(24).toString('hex');
  // Without a media server the platform still runs, with calls turned off.
  const sfu = await start('sfu', ['--enable-source-maps', 'dist/node/sfu/src/main.js'], 'READY ', { SFU_SECRET: sfuSecret }).catch((e) => {
    console.error(`launch: ${e.message}; calls are off (run "bash tools/build-mediasoup-worker.sh" if the worker binary is missing).`);
    return undefined;
  });
  const sfuUrl = sfu ? `http://${sfu.host}:${sfu.port}` : undefined;
  const sfuEnv = sfuUrl ? { SFU_URL: sfuUrl, SFU_SECRET: sfuSecret } : {};
  // One proxy worker (browse together), also ordered by the backend; its own port, as 4300 is the demo site's.
  const proxySecret = process.env.PROXY_SECRET || randomBytes(24).toString('hex');
  const proxy = await start('proxy-worker', ['--enable-source-maps', 'dist/node/proxy-worker/src/main.js'], 'READY ', { PROXY_SECRET: proxySecret, PROXY_PORT: process.env.PROXY_PORT || '0' }).catch((e) => {
    console.error(`launch: ${e.message}; browsing together is off (the proxy worker needs Chromium, see proxy-worker/README.md).`);
    return undefined;
  });
  const proxyEnv = proxy ? { PROXY_WORKERS: proxy.control, PROXY_SECRET: proxySecret } : {};
  const backend = await start('backend', ['--enable-source-maps', 'dist/node/backend/src/main.js'], 'READY ', { ...sfuEnv, ...proxyEnv });
  const line = '─'.repeat(64);
  console.log(`\n${line}
 Engage is running.
   Agent desk:           ${backend.url}/desk
   Customer join page:   ${backend.url}/join
   Demo customer site:   ${backend.demoSiteUrl ?? '(off: DEMO_SITE_PORT=0)'}
   API docs:             ${backend.url}/api/docs
   Media server (SFU):   ${sfu ? `${sfuUrl} (${sfu.workers} worker${sfu.workers === 1 ? '' : 's'})` : '(off: calls unavailable)'}
   Proxy worker:         ${proxy ? `${proxy.control} (${proxy.maxSessions} sessions)` : '(off: browse together unavailable)'}
 Demo logins (password after the slash):
   agent@demo.test / agent-demo-1        agent2@demo.test / agent-demo-2
   supervisor@demo.test / supervisor-demo-1   admin@demo.test / admin-demo-1
 Stop with Ctrl-C.
${line}\n`);
} catch (e) {
  console.error(`launch: ${e.message}`);
  await stopAll(1);
}
