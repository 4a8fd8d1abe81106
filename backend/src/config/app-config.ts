import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.schema';

/** Nest injection token and typed accessor of the validated settings. */
export class AppConfig {
  constructor(private readonly values: Readonly<Config>) {}
  get<K extends keyof Config>(key: K): Config[K] {
    return this.values[key];
  }
  /** The resolved settings without secrets, for the boot log. */
  describe(): Record<string, unknown> {
    return { ...this.values, jwtSecret: this.values.jwtSecret ? '(set)' : undefined, databaseUrl: this.values.databaseUrl ? '(external)' : '(embedded)', sfu: this.values.sfu ? { url: this.values.sfu.url, secret: '(set)' } : '(off)', proxy: this.values.proxy ? { workers: this.values.proxy.workers, secret: '(set)' } : '(off)', turn: this.values.turn ? { urls: this.values.turn.urls, ttlS: this.values.turn.ttlS, secret: '(set)' } : '(off)', documents: { ...this.values.documents, urlSecret: this.values.documents.urlSecret ? '(set)' : '(derived)' } };
  }
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** The only place that reads process.env. A bad value stops the process with a sentence. */
export function readConfigFromEnvironment(): Config {
  try {
    return loadConfig(process.env, { cwd: process.cwd(), repoRoot: findRepoRoot(__dirname) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
