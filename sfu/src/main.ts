import { readConfigFromEnvironment } from './config/read-config';
import { describeConfig } from './config/sfu-config';
import { createLogger } from './logger';

/** Entry point: config first (it tells mediasoup which worker binary to run), then the SFU. */
async function main(): Promise<void> {
  const config = readConfigFromEnvironment();
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'configuration');
  // Loaded only now: mediasoup reads MEDIASOUP_WORKER_BIN when its module loads.
  const { Sfu } = await import('./sfu');
  const sfu = await Sfu.start(config, log);
  process.stdout.write(`READY ${JSON.stringify({ service: 'sfu', host: config.host, port: sfu.server.port, pid: process.pid, workers: sfu.pool.size })}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took more than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    sfu.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`sfu: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
