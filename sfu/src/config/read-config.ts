import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type SfuConfig } from './sfu-config';

export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/**
 * The only place that reads process.env. A bad value stops the process with a sentence.
 * mediasoup reads MEDIASOUP_WORKER_BIN when it is first loaded, so this also exports the resolved
 * binary there; load mediasoup only after calling it.
 */
export function readConfigFromEnvironment(): SfuConfig {
  try {
    const config = loadConfig(process.env, { repoRoot: findRepoRoot(__dirname), cores: os.availableParallelism() });
    exportWorkerBin(config.workerBin);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Hands the worker binary to mediasoup, which reads it from the environment when it is loaded. */
export function exportWorkerBin(workerBin: string | undefined): void {
  if (workerBin) process.env['MEDIASOUP_WORKER_BIN'] = workerBin;
}
