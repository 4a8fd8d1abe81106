import type { RecorderApi } from '../recorder/contract';

let loading: Promise<RecorderApi> | null = null;

/**
 * Loads recorder.js (rrweb) once, from the folder widget.js came from. Called only after the
 * customer accepted; a failed load is forgotten so the next attempt tries again.
 */
export function loadRecorder(src: string, timeoutMs = 15_000): Promise<RecorderApi> {
  if (window.__engageRecorder) return Promise.resolve(window.__engageRecorder);
  loading ??= new Promise<RecorderApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.setAttribute('data-engage', 'recorder');
    const done = (error?: Error) => {
      clearTimeout(timer);
      script.remove();
      const api = window.__engageRecorder;
      if (!error && api) return resolve(api);
      loading = null;
      reject(error ?? new Error('recorder.js loaded but did not register'));
    };
    const timer = setTimeout(() => done(new Error(`recorder.js did not load within ${timeoutMs} ms`)), timeoutMs);
    script.onload = () => done();
    script.onerror = () => done(new Error(`could not load ${src}`));
    (document.head ?? document.documentElement).append(script);
  });
  return loading;
}
