import { exportWorkerBin, findRepoRoot } from './read-config';
import { resolveWorkerBin } from './sfu-config';

/**
 * For specs that run real mediasoup workers: finds the worker binary like the service does and
 * hands it to mediasoup (import mediasoup-using modules only after this, with a dynamic import).
 * undefined (and a warning saying why) when there is none.
 */
export function workerBinForTests(): string | undefined {
  try {
    const bin = resolveWorkerBin(process.env, findRepoRoot(__dirname));
    exportWorkerBin(bin);
    return bin ?? 'mediasoup prebuilt';
  } catch (err) {
    console.warn(`SKIPPING tests with real mediasoup workers: ${(err as Error).message}`);
    return undefined;
  }
}
