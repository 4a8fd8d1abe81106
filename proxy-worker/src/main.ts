// Boot of the proxy worker: config → worker (egress proxy, Chromium, warm pool) → control server.
// SIGTERM stops taking work, closes the sessions, the browser, then the server.
import { describeConfig, readConfigFromEnvironment } from './config/config';
import { configureLogging, createLogger } from './logger';
import { ControlServer } from './server/control-server';
import { WorkerMetrics } from './server/metrics';
import { ProxyWorker } from './worker';

async function main(): Promise<void> {
  const config = readConfigFromEnvironment();
  configureLogging(config.logLevel);
  const log = createLogger('main');
  log.info({ event: 'boot', config: describeConfig(config) }, 'starting');

  const metrics = new WorkerMetrics();
  const worker = await ProxyWorker.create(config, { log: createLogger('worker') });
  const server = await ControlServer.create({ host: config.host, port: config.port, secret: config.secret, worker, metrics, log: createLogger('control') });

  let stopping: Promise<void> | undefined;
  const stop = (why: string, code: number) =>
    (stopping ??= (async () => {
      log.info({ event: 'shutdown', why }, 'stopping');
      server.drain();
      await worker.close(why);
      await server.close();
      log.info({ event: 'shutdown/done' }, 'stopped');
      process.exit(code);
    })());
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  worker.once('closed', ({ reason }) => void stop(reason, reason === 'SIGTERM' || reason === 'SIGINT' ? 0 : 1));

  const { host, port } = server.address;
  process.stdout.write(`READY ${JSON.stringify({ host, port, control: `ws://${host}:${port}/control`, maxSessions: config.maxSessions, browserPid: worker.host.pid })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`proxy-worker failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
