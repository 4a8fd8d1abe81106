// Styles live inside the shadow root: nothing leaks out, and `all: initial` on the host stops the
// page's inherited fonts and colours from leaking in.
export const HOST_STYLE =
  'all: initial !important; display: block !important; position: static !important; contain: style !important;';

export const WIDGET_CSS = `
:host{all:initial}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.root{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;-webkit-font-smoothing:antialiased}
button{font:inherit;cursor:pointer;border:0;border-radius:10px;min-height:40px;-webkit-tap-highlight-color:transparent;touch-action:manipulation}
button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #f5a524;outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;background:#1a5fc8;color:#fff;display:grid;place-items:center;box-shadow:0 6px 20px rgba(0,0,0,.25);transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-2px;right:-2px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d1242f;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:92px;z-index:2147483001;width:370px;height:min(580px,calc(100vh - 112px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
.head{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:#1a5fc8;color:#fff}
.head .titles{flex:1;min-width:0}
.head h2{margin:0;font-size:16px;font-weight:700}
.status{margin:2px 0 0;font-size:13px;overflow-wrap:anywhere}
.end{background:#123f86;border:1px solid rgba(255,255,255,.55);color:#fff;padding:0 12px;font-size:13px;min-height:34px}
.end:hover{background:#0d3270}
.close{background:transparent;color:#fff;width:40px;padding:0;font-size:22px;line-height:1}
.close:hover{background:rgba(255,255,255,.18)}
.body{flex:1;min-height:0;display:flex;flex-direction:column;background:#f6f8fa}
.intro,.notice{padding:20px 16px;display:grid;gap:12px}
.intro p,.notice p{margin:0}
label{display:grid;gap:4px;font-size:13px;font-weight:600;color:#444c56}
input,textarea{font:inherit;color:#1f2328;background:#fff;border:1px solid #c8d1da;border-radius:10px;padding:9px 11px;width:100%}
.primary{background:#1a5fc8;color:#fff;padding:0 16px;font-weight:600}
.primary:hover{background:#1a5fd0}
.primary:disabled{opacity:.55;cursor:default}
.secondary{background:#e7ecf2;color:#1f2328;padding:0 14px}
.log{flex:1;min-height:0;overflow-y:auto;margin:0;padding:12px;list-style:none;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.msg{max-width:82%;display:flex;flex-direction:column;align-items:flex-start}
.msg .bubble{padding:8px 12px;border-radius:14px;background:#fff;border:1px solid #e1e6eb;white-space:pre-wrap;overflow-wrap:anywhere}
.msg .meta{font-size:11px;color:#57606a;margin:2px 4px 0;display:flex;gap:6px;align-items:center}
.msg.own{align-self:flex-end;align-items:flex-end}
.msg.own .bubble{background:#1a5fc8;border-color:#1a5fc8;color:#fff}
.msg.pending .bubble{background:#fff;color:#1a5fc8;border:1px dashed #1a5fc8}
.msg.failed .bubble{background:#fff;color:#1f2328;border-color:#d1242f}
.msg.failed .meta{color:#d1242f}
.msg.system{align-self:center;max-width:92%}
.msg.system .bubble{background:transparent;border:0;color:#57606a;font-size:13px;text-align:center}
.link{background:none;color:inherit;text-decoration:underline;min-height:0;padding:0;font-size:11px}
.receipt{color:#1a7f37;font-weight:600}
.typing{margin:0;padding:0 14px 6px;font-size:12px;color:#57606a;font-style:italic}
.banner{margin:0;padding:6px 12px;font-size:12px;background:#fff8c5;color:#4d2d00;text-align:center}
.again{padding:12px 16px;display:flex;justify-content:center;border-top:1px solid #e1e6eb;background:#fff}
.composer{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #e1e6eb;background:#fff}
.composer textarea{resize:none;max-height:120px;min-height:42px}
.send{width:44px;height:42px;padding:0;display:grid;place-items:center}
.send svg{width:20px;height:20px}
.cb-prompt{padding:14px 16px;background:#eef4fd;border-bottom:1px solid #c9dbf5;display:grid;gap:8px}
.cb-prompt:focus{outline:none}
.cb-prompt:focus-visible{outline:3px solid #f5a524;outline-offset:-3px}
.cb-title{margin:0;font-size:15px;font-weight:700;color:#1f2328}
.cb-desc{margin:0;font-size:13px;color:#3d444d}
.cb-error{margin:0;font-size:13px;color:#a1161f}
.cb-actions{display:flex;gap:8px}
.cb-actions button{flex:1}
.lift-bar{display:flex;justify-content:flex-end;padding:2px 16px;border-bottom:1px solid #e1e6eb}
.root .lift-link{font-size:13px;color:#1a5fc8;min-height:28px}
.share{padding:12px 16px;background:#fff;border-bottom:1px solid #e1e6eb;display:grid;gap:8px}
.share-offer,.share-shown{display:grid;gap:8px}
.share-note{margin:0;font-size:13px;color:#3d444d}
.share-btn{width:100%}
.share-code{margin:4px 0;font:700 40px/1.1 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em;text-align:center;color:#1f2328;background:#eef4fd;border:2px solid #1a5fc8;border-radius:12px;padding:12px 8px}
.share-code:focus{outline:none}
.root.sharing .panel{height:min(580px,calc(100vh - 144px))}
.cb-banner{position:fixed;top:0;left:0;right:0;z-index:2147483002;height:0;display:flex;justify-content:center;pointer-events:none;border-top:3px solid #1a5fc8}
.cb-banner[data-kind=paused]{border-top-color:#7a4a00}
.cb-pill{pointer-events:auto;display:flex;align-items:center;gap:8px;max-width:calc(100vw - 16px);padding:3px 4px 3px 12px;background:#1a5fc8;color:#fff;border-radius:0 0 12px 12px;box-shadow:0 4px 14px rgba(0,0,0,.22);font-size:13px;line-height:1.3;height:max-content}
.cb-banner[data-kind=paused] .cb-pill{background:#7a4a00}
/* On a wide screen the pill sits in the bottom-left corner, where it covers no site header or menu
   (a pill at the top hid the demo shop's navigation links); the blue line along the top stays. */
@media (min-width:481px){.cb-pill{position:fixed;left:16px;bottom:16px;border-radius:12px;max-width:calc(100vw - 120px)}}
.cb-dot{flex:none;width:8px;height:8px;border-radius:50%;background:#fff;box-shadow:0 0 0 3px rgba(255,255,255,.3)}
.cb-words{display:flex;flex-direction:column;min-width:0;padding:2px 0}
.cb-text{font-weight:600}
.cb-note{font-size:12px}
.root .cb-btn{flex:none;min-height:30px;padding:0 12px;border-radius:8px;background:#fff;color:#a1161f;font-size:13px;font-weight:700}
.root .cb-btn[data-testid=cobrowse-resume]{color:#1f2328}
.cb-btn:hover{background:#f1f3f5}
.cb-btn:disabled{opacity:.6;cursor:default}
.cb-banner button:focus-visible{outline:3px solid #f5a524;outline-offset:1px}
.cb-pointer{position:fixed;left:0;top:0;z-index:2147483003;pointer-events:none;display:flex;align-items:center;gap:4px;will-change:transform;transition:transform 40ms linear}
.cb-pointer[hidden]{display:none}
.cb-pointer-dot{width:14px;height:14px;margin:-7px 0 0 -7px;border-radius:50%;background:#e0162b;box-shadow:0 0 0 4px rgba(224,22,43,.3),0 1px 4px rgba(0,0,0,.4)}
.cb-pointer-name{padding:1px 6px;border-radius:6px;background:#e0162b;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}
@media (max-width:480px){
  .root.sharing .panel{top:44px;height:auto}
  .root.sharing.paused .panel{top:96px}
  .root .cb-btn{min-height:32px;padding:0 10px}
  .cb-pill{font-size:12px}
  .panel{inset:0;width:100%;height:100%;border-radius:0}
  .root.open .launcher{display:none}
  .launcher{right:16px;bottom:16px}
  button{min-height:44px}
  .end{min-height:38px}
  .composer textarea{font-size:16px}
  .intro input{font-size:16px}
}
@media (prefers-reduced-motion:reduce){.launcher,.cb-pointer{transition:none}}
`;
