/** Limits both ends agree on; the backend enforces them. */
export const LIMITS = {
  /** Longest chat message body, in characters. */
  chatBodyMaxChars: 4000,
  /** Largest single socket frame the server accepts, in bytes (a full page snapshot must fit). */
  socketMaxFrameBytes: 4 * 1024 * 1024,
  /** rrweb events in one cobrowse/record batch at most. */
  cobrowseEventsPerBatch: 500,
  /** Client ids are opaque strings of this size at most. */
  clientIdMaxChars: 64,
  /** Messages returned by one history request at most. */
  historyPageSize: 500,
  customerNameMaxChars: 80,
  /** Longest value the agent may type into one field under remote control. */
  controlTextMaxChars: 2000,
  /** Longest refusal note the customer's page sends about a remote input. */
  controlNoteMaxChars: 300,
  /** Images in one cobrowse/images-missing report at most (also the viewer's cap per page). */
  missingImagesPerReport: 20,
  /** Longest URL of a missing image. */
  missingImageUrlMaxChars: 2000,
  /** A customer's share code (Share this page) is valid this long, once. */
  shareCodeTtlMs: 20 * 60 * 1000,
} as const;
