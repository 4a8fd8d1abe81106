import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from '../logger';

/** How often mediasoup re-evaluates the dominant speaker (ms). */
export const DOMINANT_INTERVAL_MS = 300;
/** The window over which audio levels are averaged (ms): who is audible, or silence. */
export const LEVEL_INTERVAL_MS = 400;
/**
 * Below this average level (dBov, the mean of the packets' ssrc-audio-level over the window) a
 * producer counts as silent: speech averages about -30 to -50, a quiet room with the browser's
 * noise suppression well below -70.
 */
export const SPEECH_THRESHOLD_DBOV = -70;
/** Silence must last this long before the speaker becomes null: pauses between words do not flicker. */
export const SILENCE_HOLD_MS = 1_200;

export interface SpeakerDetectorEvents {
  /** Who speaks now (the SFU peer id of an audio producer), or null when nobody is heard. Only on change. */
  speaker: [string | null];
}

/**
 * The dominant speaker of one room's router, from two mediasoup RTP observers fed with every audio
 * producer of the router (both read the ssrc-audio-level header extension browsers send):
 *  - ActiveSpeakerObserver picks the dominant speaker with the DSI algorithm (speech activity over
 *    short, medium and long windows), which does not flicker on a cough; but it never says "nobody"
 *    (alone in a room, a silent producer is dominant) and has no silence event;
 *  - AudioLevelObserver says who is audible at all and emits 'silence' when nobody is.
 * The speaker is the dominant one while it is audible, else the loudest audible one, else (after
 * SILENCE_HOLD_MS of silence) null.
 * Chrome's default fake microphone (a 20 ms beep every 500 ms) averages far below the speech
 * threshold: it is silence here; tests use continuous sound (RTP levels, or a fake-capture WAV).
 */
export class SpeakerDetector extends EventEmitter<SpeakerDetectorEvents> {
  /** producer id → peer id, for the audio producers being observed. */
  readonly #peerOf = new Map<string, string>();
  #dominant: string | null = null;
  /** Audible producers of the last level window, loudest first. */
  #audible: string[] = [];
  #current: string | null = null;
  #silence: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    private readonly active: types.ActiveSpeakerObserver,
    private readonly levels: types.AudioLevelObserver,
    private readonly log: Logger,
  ) {
    super();
    active.on('dominantspeaker', ({ producer }) => {
      this.#dominant = producer.id;
      this.#update();
    });
    levels.on('volumes', (volumes) => {
      clearTimeout(this.#silence);
      this.#silence = undefined;
      this.#audible = volumes.map((v) => v.producer.id);
      this.#update();
    });
    levels.on('silence', () => {
      this.#silence ??= setTimeout(() => {
        this.#silence = undefined;
        this.#audible = [];
        this.#update();
      }, SILENCE_HOLD_MS);
    });
  }

  /** Observes every audio producer that appears on `router` from now on (any transport, any peer). */
  static async create(router: types.Router, log: Logger): Promise<SpeakerDetector> {
    const active = await router.createActiveSpeakerObserver({ interval: DOMINANT_INTERVAL_MS });
    const levels = await router.createAudioLevelObserver({ interval: LEVEL_INTERVAL_MS, threshold: SPEECH_THRESHOLD_DBOV, maxEntries: 16 });
    const detector = new SpeakerDetector(active, levels, log);
    router.observer.on('newtransport', (transport) => {
      transport.observer.on('newproducer', (producer) => detector.#observe(producer));
    });
    return detector;
  }

  /** The current speaker's peer id, or null. */
  get speaker(): string | null {
    return this.#current;
  }

  /** Idempotent; the router's close closes the observers too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#silence);
    this.active.close();
    this.levels.close();
    this.removeAllListeners();
  }

  #observe(producer: types.Producer): void {
    if (producer.kind !== 'audio' || this.#closed) return;
    const peerId = typeof producer.appData['peerId'] === 'string' ? (producer.appData['peerId'] as string) : producer.id;
    this.#peerOf.set(producer.id, peerId);
    producer.observer.once('close', () => {
      // mediasoup drops a closed producer from its observers itself; forget it here too.
      this.#peerOf.delete(producer.id);
      if (this.#dominant === producer.id) this.#dominant = null;
      this.#audible = this.#audible.filter((id) => id !== producer.id);
      this.#update();
    });
    const add = (observer: types.RtpObserver) =>
      observer.addProducer({ producerId: producer.id }).catch((err: unknown) => {
        if (!producer.closed && !observer.closed) this.log.warn({ err, producerId: producer.id }, 'could not observe an audio producer');
      });
    void add(this.active);
    void add(this.levels);
  }

  #update(): void {
    if (this.#closed) return;
    const producerId = this.#dominant && this.#audible.includes(this.#dominant) ? this.#dominant : (this.#audible[0] ?? null);
    const next = producerId ? (this.#peerOf.get(producerId) ?? null) : null;
    if (next === this.#current) return;
    this.#current = next;
    this.emit('speaker', next);
  }
}
