/**
 * Calls `onRoute` after every same-document navigation (history.pushState/replaceState,
 * popstate, hashchange). The history methods are wrapped, not replaced: the page's own call
 * always runs first and its result and exceptions are untouched; the returned teardown puts the
 * originals back (unless someone wrapped them after us, in which case ours turns inert).
 */
export function watchRoutes(win: Window, onRoute: () => void): () => void {
  const history = win.history;
  let active = true;
  const notify = () => {
    if (!active) return;
    try {
      onRoute();
    } catch {
      // onRoute is already guarded by safe(); this is the page's call stack, keep it clean
    }
  };
  const wrap = (name: 'pushState' | 'replaceState') => {
    const original = history[name];
    const wrapped = function (this: History, ...args: Parameters<History['pushState']>) {
      const out = original.apply(this, args);
      notify();
      return out;
    };
    history[name] = wrapped;
    return () => {
      if (history[name] === wrapped) history[name] = original;
    };
  };
  const restore = [wrap('pushState'), wrap('replaceState')];
  win.addEventListener('popstate', notify);
  win.addEventListener('hashchange', notify);
  return () => {
    active = false;
    for (const r of restore) r();
    win.removeEventListener('popstate', notify);
    win.removeEventListener('hashchange', notify);
  };
}
