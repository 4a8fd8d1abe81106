// The `media/*` socket event names, zod-free: the website widget imports them without the schemas.
export const MEDIA_EV = {
  // client → server
  /** Agent offers a call (audio or video). */
  offer: 'media/offer',
  /** Customer accepts or declines the offer. */
  respond: 'media/respond',
  /** Either side ends the call (or the agent withdraws the offer). */
  end: 'media/end',
  /** A participant of an active call joins the SFU room: router capabilities, ICE servers, others' producers. */
  join: 'media/join',
  transport: 'media/transport',
  connect: 'media/connect',
  produce: 'media/produce',
  consume: 'media/consume',
  /** Resume a consumer once the client has set it up (consumers start paused). */
  resume: 'media/resume',
  /** Pause or resume one of the caller's producers (mute, camera off). */
  pause: 'media/pause',
  // server → client
  /** The call state of an engagement, to every participant. */
  state: 'media/state',
  /** Another participant of the engagement started sending a track. */
  newProducer: 'media/new-producer',
} as const;
