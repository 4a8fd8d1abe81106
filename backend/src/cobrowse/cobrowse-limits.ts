/** Numbers of direct co-browse, in one place (single node, in memory). */

/** A request the customer has not answered within this time expires. */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * cobrowse/record has its own budget per socket (the recorder sends up to ~60 batches a second,
 * far beyond the chat bucket): batches per second and burst, and bytes of JSON per second and burst.
 * The byte burst must hold a full snapshot (LIMITS.socketMaxFrameBytes).
 */
export const RECORD_RATE_PER_S = 200;
export const RECORD_BURST = 400;
export const RECORD_BYTES_PER_S = 20 * 1024 * 1024;
export const RECORD_BYTES_BURST = 20 * 1024 * 1024;

/** Past these sizes the checkpoint asks the customer for a fresh full snapshot. */
export const CHECKPOINT_SOFT_EVENTS = 2_000;
export const CHECKPOINT_SOFT_BYTES = 8 * 1024 * 1024;
/** Past these the checkpoint is dropped outright, so a customer that never answers cannot grow it forever. */
export const CHECKPOINT_HARD_EVENTS = 10_000;
export const CHECKPOINT_HARD_BYTES = 32 * 1024 * 1024;

/** cobrowse/snapshot-needed goes to the customer at most this often per engagement. */
export const SNAPSHOT_ASK_INTERVAL_MS = 5_000;

/** Room of the sockets watching an engagement's co-browse (viewers only; the customer is not in it). */
export const watchersRoom = (engagementId: string) => `cbw:${engagementId}`;

/** A request for remote control the customer has not answered within this time expires. */
export const CONTROL_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Images the agent's replay may ask the customer's page for (cobrowse/images-missing), per
 * engagement: a page's worth at once (the viewer reports at most LIMITS.missingImagesPerReport per
 * page) twice over, then this many a second.
 */
export const MISSING_IMAGES_BURST = 40;
export const MISSING_IMAGES_PER_S = 10;
