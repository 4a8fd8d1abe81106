// The `proxy/*` socket event names, zod-free: the website widget imports them without the schemas.
export const PROXY_EV = {
  // client → server
  /** Agent or customer opens the shared browser on a URL (the customer may send its device). */
  start: 'proxy/start',
  /** The customer reports its device, used to dress the shared browser. */
  device: 'proxy/device',
  /** One input of the participant holding control, in CSS pixels of the shared page. */
  input: 'proxy/input',
  /** goto URL, back, forward, reload. */
  navigate: 'proxy/navigate',
  /** Take control (one driver at a time). */
  control: 'proxy/control',
  /** Close the shared browser. */
  stop: 'proxy/stop',
  /** The driver's answer to the page's JavaScript dialog (alert, confirm, prompt). */
  dialogAnswer: 'proxy/dialog-answer',
  /** Where this participant's pointer is over the shared page (normalized 0..1), or that it left. */
  pointer: 'proxy/pointer',
  // server → client
  /** The shared browser's state of an engagement, to every participant. */
  state: 'proxy/state',
  /** A screencast frame, to the two participants only; dropped for a socket that is not drained. */
  frame: 'proxy/frame',
  /** A JavaScript dialog of the page, to the participant in control only (again to a new driver). */
  dialog: 'proxy/dialog',
  /** The other participant's pointer over the shared page, to the other participant only. */
  peerPointer: 'proxy/peer-pointer',
} as const;
