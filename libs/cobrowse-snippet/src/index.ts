// Entry of the embeddable bundle (dist/widget/widget.js): finds the platform from its own script
// tag, mounts the widget and exposes window.EngageWidget. Nothing here may throw into the page.
import { resolvePlatformUrl } from './platform';
import { readScriptOptions } from './cobrowse/privacy';
import { consoleReporter, createSafe } from './safe';
import { mountWidget, type WidgetHandle } from './widget';

declare global {
  interface Window {
    EngageWidget?: WidgetHandle;
  }
}

const safe = createSafe(consoleReporter((m) => console.warn(m)));

safe.run('boot', () => {
  if (window.EngageWidget) return; // the tag was included twice
  const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-engage-url], script[src$="/widget.js"]');
  const platformUrl = resolvePlatformUrl(script?.getAttribute('data-engage-url'), script?.src, location.href);
  if (!platformUrl) throw new Error('cannot tell the platform URL; add data-engage-url to the script tag');
  // recorder.js sits beside widget.js; loaded only after the customer accepts co-browsing.
  const recorderUrl = script?.src ? new URL('recorder.js', script.src).href : undefined;
  const widget = mountWidget({ platformUrl, safe, cobrowse: readScriptOptions(script), recorderUrl });
  window.EngageWidget = {
    open: widget.open,
    close: widget.close,
    stop: () => {
      widget.stop();
      delete window.EngageWidget;
    },
  };
});

export {};
