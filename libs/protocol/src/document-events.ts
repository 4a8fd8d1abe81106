// The `doc/*` socket event names, zod-free: the website widget imports them without the schemas.
export const DOC_EV = {
  // client → server
  /** Open the room: its documents, the presenter's view, video and calculator. */
  open: 'doc/open',
  /** Every annotation of one document (a reconnect or a late joiner sees them all). */
  annotations: 'doc/annotations',
  /** The presenter's page/zoom/scroll (refused from a non-presenter). */
  view: 'doc/view',
  /** Become the presenter. */
  present: 'doc/present',
  /** Add (or re-add, for redo) an annotation; persisted, then relayed. */
  annotate: 'doc/annotate',
  /** Remove an annotation (eraser, undo). */
  erase: 'doc/erase',
  /** A stroke while it is drawn (not persisted), relayed to the others at once. */
  stroke: 'doc/stroke',
  /** Set one form field's value. */
  field: 'doc/field',
  /** Agent: mark a field customer-only and/or required. */
  fieldPolicy: 'doc/field-policy',
  /** Customer: put a drawn signature into a signature field or on a chosen spot. */
  sign: 'doc/sign',
  /**
   * Export a copy as a new document of the room (the original stays untouched): annotations burnt
   * in, field values in; `complete: true` checks required fields, flattens the form, embeds the
   * signatures and appends the audit page (the signed copy).
   */
  export: 'doc/export',
  /** play / pause / seek / rate of the room's video. */
  video: 'doc/video',
  /** Type into the shared calculator. */
  calc: 'doc/calc',
  // server → client
  /** The room changed (documents, conversion progress, presenter, video, calculator). */
  room: 'doc/room',
  /** The presenter's view. */
  viewChanged: 'doc/view-changed',
  /** An annotation was added. */
  annotationAdded: 'doc/annotation-added',
  /** An annotation was removed. */
  annotationRemoved: 'doc/annotation-removed',
  /** A stroke in progress of the other party. */
  strokeDrawn: 'doc/stroke-drawn',
  /** A field changed (value null for the agent when customer-only). */
  fieldChanged: 'doc/field-changed',
  /** The video state changed. */
  videoChanged: 'doc/video-changed',
} as const;
