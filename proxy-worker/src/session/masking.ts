// Masking in frames. A stylesheet added at document start in every frame paints each masked element
// as a solid black box: `filter: brightness(0)` turns everything the element draws (text, images,
// children) black, `background: #000` fills the box even when the element is transparent, and
// `color/caret-color: transparent` keeps glyph edges from showing. The rule matches elements that
// appear later by itself (it is CSS); a MutationObserver only puts the <style> back when the page
// removes it or rewrites the document. `-webkit-text-security` is not enough: it hides characters
// but leaves their count and every non-password field visible. Not covered: closed shadow roots and
// cross-origin frames Chromium runs out of process before the script is attached (both rare).

const PASSWORD = 'input[type="password" i]';

/** Source of a function run in every frame at document start. */
export function maskingScript(selectors: readonly string[]): string {
  const list = JSON.stringify([...selectors, PASSWORD]);
  return `(() => {
  const ID = '__engage_mask__';
  const valid = ${list}.filter((s) => { try { document.createDocumentFragment().querySelector(s); return true; } catch { return false; } });
  const css = valid.join(',\\n') + ' { filter: brightness(0) !important; background: #000 !important; color: transparent !important; caret-color: transparent !important; text-shadow: none !important; }';
  const ensure = () => {
    const root = document.documentElement;
    if (!root) return;
    let style = document.getElementById(ID);
    if (!style || style.parentNode !== root) {
      style?.remove();
      style = document.createElement('style');
      style.id = ID;
      root.appendChild(style);
    }
    if (style.textContent !== css) style.textContent = css;
  };
  ensure();
  new MutationObserver(ensure).observe(document, { childList: true, subtree: true, characterData: true });
})();`;
}
