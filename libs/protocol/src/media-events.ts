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
  /** The caller's transport lost its ICE connection: new ICE parameters from the SFU, same transport (no redial). */
  restartIce: 'media/restart-ice',
  /** Close one of the caller's producers (stop sharing the screen). */
  closeProducer: 'media/close-producer',
  /**
   * The caller leaves the call's media: its SFU peer closes (its transports, producers, consumers),
   * the call goes on. A listening supervisor sends it on "Stop listening" (a later listen is a new
   * timeline row). For the customer or the agent it closes their peer only — the call is not ended
   * (that is media/end) and the others are told their producers closed; a later media/join brings
   * them back. Leaving when not joined is fine (nothing happens).
   */
  leave: 'media/leave',
  // server → client
  /** The call state of an engagement, to every participant. */
  state: 'media/state',
  /** Another participant of the engagement started sending a track. */
  newProducer: 'media/new-producer',
  /** A producer of another participant ended (screen share stopped, the participant left the media). */
  producerClosed: 'media/producer-closed',
  /**
   * The call's media was lost on the server: join again with the same tracks, the call goes on.
   * reason 'worker-died': its SFU worker died; 'room-lost': the backend found the room gone after
   * its SFU event stream reconnected (the SFU restarted, or a death was missed). Sent to every
   * socket in the engagement's room.
   */
  reconnect: 'media/reconnect',
  /** Who speaks now (an SFU peer id: 'customer', 'agent-<userId>'), or null after 1.2 s of silence; only on change. */
  speaker: 'media/speaker',
} as const;
