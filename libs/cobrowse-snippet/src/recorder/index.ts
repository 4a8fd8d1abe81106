// Entry of the recorder bundle (dist/widget/recorder.js). widget.js loads it only after the
// customer accepted co-browsing; until then nothing of the page is read or sent.
import { LIMITS, type RecordedEvent } from '@engage/protocol';
import { record } from 'rrweb';
import { describeTarget, isOpenField } from '../cobrowse/control-rules';
import { EVENT_FULL_SNAPSHOT, createBatcher, endOfTask } from './batcher';
import { coalescePointer } from './coalesce';
import { applyControlInput } from './control';
import { createImageInliner } from './inline-images';
import type { RecorderApi, RecorderHandle, RecorderOptions } from './contract';

/** Masks the value of every form field, hidden ones and buttons included (a superset of rrweb's maskAllInputs, which lets hidden inputs through). */
const MASK_EVERY_FIELD = { input: true, textarea: true, select: true, password: true } as Record<string, boolean>;

/** Canvas frames per second, and how each frame is encoded. */
const CANVAS_FPS = 2;
const CANVAS_IMAGE = { type: 'image/webp', quality: 0.6 };

let current: RecorderHandle | null = null;

function start(o: RecorderOptions): RecorderHandle {
  current?.stop(); // rrweb records one page at a time
  let stopped = false;
  const hiddenSelector = `${o.blockSelector},${o.maskTextSelector}`;
  let stopRecord: (() => void) | undefined;
  const batcher = createBatcher({
    send: (events) => o.send(coalescePointer(events)),
    onFailure: (e) => {
      handle.stop();
      o.onFailure(e);
    },
    maxBatch: LIMITS.cobrowseEventsPerBatch,
    // No waiting window (a 16 ms one was most of the agent's lag): a batch leaves at the end of the
    // task that recorded it, so what one task changed travels together; past maxInFlight unacknowledged
    // batches the next events gather and leave together on the next ack.
    intervalMs: 0,
    setTimer: endOfTask.set,
    clearTimer: endOfTask.clear,
    maxQueued: LIMITS.cobrowseEventsPerBatch * 10,
    // A change must not wait for the ack of the pointer move sent just before it.
    maxInFlight: 4,
  });
  const images = createImageInliner({
    mirror: record.mirror,
    hiddenSelector,
    emit: (event) => {
      if (!stopped) batcher.push(event);
    },
    debug: (message) => console.debug(`[engage recorder] ${message}`),
  });
  const handle: RecorderHandle = {
    stop() {
      if (stopped) return;
      stopped = true;
      batcher.stop();
      images.stop();
      try {
        stopRecord?.();
      } catch (e) {
        o.onError(e);
      }
      if (current === handle) current = null;
    },
    control(input) {
      if (stopped) return 'Sharing is not on; nothing was done.';
      return applyControlInput(input, record.mirror, hiddenSelector);
    },
    inlineImages(wanted) {
      if (!stopped) images.request(wanted);
    },
    takeFullSnapshot() {
      if (stopped) return;
      try {
        record.takeFullSnapshot(true);
      } catch (e) {
        o.onError(e);
      }
    },
  };
  current = handle;
  try {
    stopRecord = record({
      emit(event) {
        if (stopped) return;
        const e = event as { type: number; timestamp: number; data: unknown };
        batcher.push({ type: e.type, timestamp: e.timestamp, data: e.data } satisfies RecordedEvent);
        // A new snapshot carries the images' original src: the ones inlined before follow it at once.
        if (e.type === EVENT_FULL_SNAPSHOT) images.afterFullSnapshot();
      },
      blockSelector: o.blockSelector,
      maskTextSelector: o.maskTextSelector,
      maskAllInputs: false,
      maskInputOptions: MASK_EVERY_FIELD,
      // A field the site opened to the agent (data-cobrowse="allow", never a secret one) shows its value.
      maskInputFn: (text, el) => (el instanceof Element && isOpenField(describeTarget(el, hiddenSelector)) ? text : '*'.repeat(text.length)),
      // Canvases travel as sampled image frames (2 a second, WebP at 0.6, only when the pixels
      // changed), never as replayable drawing calls: the desk paints them without running anything.
      // A canvas matching blockSelector (data-cobrowse="private") is neither sampled nor snapshotted.
      recordCanvas: true,
      dataURLOptions: CANVAS_IMAGE,
      collectFonts: false,
      inlineImages: false,
      recordCrossOriginIframes: false,
      // Pointer moves reach the agent promptly instead of rrweb's half-second batches. rrweb drops a
      // move that comes sooner than `mousemove` after the last one kept (no trailing call), so the
      // agent would see the one after it, a whole move later: at 12 ms a 40-60 Hz pointer keeps
      // nearly every move.
      // Every `input` event (rrweb's 'all'): with 'last' rrweb listens to `change` alone, which does
      // not leave a shadow root (not composed), so a field inside a web component never updated, and
      // the agent saw typing only after the field lost focus. Values are masked either way.
      sampling: { mousemove: 12, mousemoveCallback: 12, scroll: 50, input: 'all', media: 800, canvas: CANVAS_FPS },
      slimDOMOptions: { script: true, comment: true, headFavicon: true, headMetaSocial: true, headMetaRobots: true, headMetaVerification: true },
      errorHandler: (e) => {
        o.onError(e);
        return true;
      },
    });
  } catch (e) {
    handle.stop();
    throw e;
  }
  if (!stopRecord) {
    handle.stop();
    throw new Error('rrweb did not start (unsupported page)');
  }
  if (stopped) stopRecord();
  return handle;
}

if (!window.__engageRecorder) {
  const api: RecorderApi = { version: 1, start };
  window.__engageRecorder = api;
}
