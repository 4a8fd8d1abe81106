/**
 * The part of rrweb's dist/style.css the live view needs (the mouse cursor and its click pulse),
 * scoped under the viewer's root so it cannot touch the rest of the page. No mouse tail: the
 * viewer turns it off. The cursor glides for one frame (rrweb's 50 ms would leave it drawn two
 * pointer moves behind the customer's). Injected once per document by the viewer.
 */
const CURSOR = "data:image/svg+xml;base64,PHN2ZyBoZWlnaHQ9JzMwMHB4JyB3aWR0aD0nMzAwcHgnICBmaWxsPSIjMDAwMDAwIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIGRhdGEtbmFtZT0iTGF5ZXIgMSIgdmlld0JveD0iMCAwIDUwIDUwIiB4PSIwcHgiIHk9IjBweCI+PHRpdGxlPkRlc2lnbl90bnA8L3RpdGxlPjxwYXRoIGQ9Ik00OC43MSw0Mi45MUwzNC4wOCwyOC4yOSw0NC4zMywxOEExLDEsMCwwLDAsNDQsMTYuMzlMMi4zNSwxLjA2QTEsMSwwLDAsMCwxLjA2LDIuMzVMMTYuMzksNDRhMSwxLDAsMCwwLDEuNjUuMzZMMjguMjksMzQuMDgsNDIuOTEsNDguNzFhMSwxLDAsMCwwLDEuNDEsMGw0LjM4LTQuMzhBMSwxLDAsMCwwLDQ4LjcxLDQyLjkxWm0tNS4wOSwzLjY3TDI5LDMyYTEsMSwwLDAsMC0xLjQxLDBsLTkuODUsOS44NUwzLjY5LDMuNjlsMzguMTIsMTRMMzIsMjcuNThBMSwxLDAsMCwwLDMyLDI5TDQ2LjU5LDQzLjYyWiI+PC9wYXRoPjwvc3ZnPg==";

export const VIEWER_STYLE_ID = 'cobrowse-viewer-styles';

export const VIEWER_CSS = `
.cbv-root { position: absolute; inset: 0; overflow: hidden; }
.cbv-root .replayer-wrapper { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.cbv-root .replayer-wrapper > iframe { border: 0; display: block; background: #fff; }
.cbv-root .cbv-overlay { position: absolute; inset: 0; z-index: 2; pointer-events: none; outline: none; }
.cbv-root .cbv-overlay.active { pointer-events: auto; cursor: crosshair; }
.cbv-root .cbv-overlay.control { cursor: default; box-shadow: inset 0 0 0 3px #e0162b; }
.cbv-root .cbv-overlay.control:focus-visible { box-shadow: inset 0 0 0 3px #e0162b, inset 0 0 0 6px #f5a524; }
.cbv-root .cbv-picker { position: absolute; z-index: 3; min-width: 160px; font: inherit; }
.cbv-root .replayer-mouse {
  position: absolute; width: 20px; height: 20px; z-index: 1; pointer-events: none;
  transition: left 16ms linear, top 16ms linear;
  background: center / contain no-repeat url('${CURSOR}');
  border-color: transparent;
}
.cbv-root .replayer-mouse::after {
  content: ''; display: inline-block; width: 20px; height: 20px;
  background: rgb(73, 80, 246); border-radius: 100%; transform: translate(-50%, -50%); opacity: 0.3;
}
.cbv-root .replayer-mouse.active::after { animation: cbv-click 0.2s ease-in-out 1; }
.cbv-root .replayer-mouse.touch-device {
  background-image: none; width: 70px; height: 70px; border: 4px solid rgba(73, 80, 246, 0);
  border-radius: 100%; margin-left: -37px; margin-top: -37px;
  transition: left 0s linear, top 0s linear, border-color 0.2s ease-in-out;
}
.cbv-root .replayer-mouse.touch-device.touch-active {
  border-color: rgba(73, 80, 246, 1);
  transition: left 0.25s linear, top 0.25s linear, border-color 0.2s ease-in-out;
}
.cbv-root .replayer-mouse.touch-device::after { opacity: 0; }
.cbv-root .replayer-mouse.touch-device.active::after { animation: cbv-touch-click 0.2s ease-in-out 1; }
@keyframes cbv-click { 0% { opacity: 0.3; width: 20px; height: 20px; } 50% { opacity: 0.5; width: 10px; height: 10px; } }
@keyframes cbv-touch-click { 0% { opacity: 0; width: 20px; height: 20px; } 50% { opacity: 0.5; width: 10px; height: 10px; } }
@media (prefers-reduced-motion: reduce) { .cbv-root .replayer-mouse { transition: none; } }
`;

/** Adds the viewer's style sheet to a document once. */
export function ensureViewerStyles(doc: Document): void {
  if (doc.getElementById(VIEWER_STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = VIEWER_STYLE_ID;
  style.textContent = VIEWER_CSS;
  (doc.head ?? doc.documentElement).appendChild(style);
}
