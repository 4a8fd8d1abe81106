import { SfuRequestError } from './sfu-client';

describe('SfuRequestError', () => {
  it('passes a media server at capacity on as overloaded, with a retry hint and a sentence for people', () => {
    const e = new SfuRequestError(503, 'overloaded', 'The media server is at capacity (worker 12 carries 300 of 300 streams); try again shortly.');
    expect(e.status).toBe(503);
    expect(e.toBody()).toEqual({ code: 'overloaded', message: 'The media server is at capacity; try the call again in a moment.', retryAfter: 5 });
  });

  it('keeps the SFU refusing bad parameters as the client\'s error and anything else as ours', () => {
    expect(new SfuRequestError(400, 'bad-request', 'no rtpCapabilities').toBody()).toEqual({ code: 'invalid_payload', message: 'SFU: no rtpCapabilities' });
    expect(new SfuRequestError(503, 'unreachable', 'down').toBody()).toMatchObject({ code: 'internal' });
    expect(new SfuRequestError(500, 'internal', 'boom').status).toBe(502);
  });
});

describe('SfuRequestError of a thing the SFU does not have', () => {
  it('is not_found (404) for the client, not our failure', () => {
    const e = new SfuRequestError(404, 'not-found', 'peer customer has no transport t1');
    expect(e.status).toBe(404);
    expect(e.toBody()).toEqual({ code: 'not_found', message: 'SFU: peer customer has no transport t1' });
  });
});
