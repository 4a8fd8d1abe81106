/** Limits both ends agree on; the backend enforces them. */
export const LIMITS = {
  /** Longest chat message body, in characters. */
  chatBodyMaxChars: 4000,
  /** Largest single socket frame the server accepts, in bytes. */
  socketMaxFrameBytes: 64 * 1024,
  /** Client ids are opaque strings of this size at most. */
  clientIdMaxChars: 64,
  /** Messages returned by one history request at most. */
  historyPageSize: 500,
  customerNameMaxChars: 80,
} as const;
