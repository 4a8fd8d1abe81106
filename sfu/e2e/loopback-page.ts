/**
 * Browser side of the loopback test, bundled with esbuild. The page signals through
 * `window.sfuSignal(action, body)`, which the test exposes and forwards to the SFU's control API
 * as POST /rooms/:engagementId/peers/:peerId/:action (standing in for the backend).
 */
import { Device, type types } from 'mediasoup-client';

type Signal = <T>(action: string, body: unknown) => Promise<T>;
declare global {
  interface Window {
    sfuSignal: Signal;
    loopback: typeof loopback;
  }
}

const signal: Signal = (action, body) => window.sfuSignal(action, body);
let device: Device;
let recvTransport: types.Transport | undefined;

function wire(transport: types.Transport): void {
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signal(`transports/${transport.id}/connect`, { dtlsParameters }).then(() => callback(), errback);
  });
  transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    signal<{ producerId: string }>('produce', { transportId: transport.id, kind, rtpParameters }).then(({ producerId }) => callback({ id: producerId }), errback);
  });
}

const loopback = {
  async join(): Promise<string> {
    device = new Device();
    const { routerRtpCapabilities } = await signal<{ routerRtpCapabilities: types.RtpCapabilities }>('join', {});
    await device.load({ routerRtpCapabilities });
    await signal('join', { rtpCapabilities: device.rtpCapabilities });
    return device.handlerName;
  },

  /** Sends the fake camera and microphone; answers the producer ids. */
  async produce(): Promise<string[]> {
    const transport = device.createSendTransport(await signal<types.TransportOptions>('transports', { direction: 'send' }));
    wire(transport);
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 15 } });
    const ids: string[] = [];
    for (const track of stream.getTracks()) ids.push((await transport.produce({ track })).id);
    return ids;
  },

  async consume(producerIds: string[]): Promise<void> {
    if (!recvTransport) {
      recvTransport = device.createRecvTransport(await signal<types.TransportOptions>('transports', { direction: 'recv' }));
      wire(recvTransport);
    }
    for (const producerId of producerIds) {
      const c = await signal<{ id: string; producerId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters }>('consume', {
        transportId: recvTransport.id,
        producerId,
      });
      const consumer = await recvTransport.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
      const el = document.createElement(c.kind === 'video' ? 'video' : 'audio');
      el.autoplay = true;
      el.muted = c.kind === 'video';
      el.srcObject = new MediaStream([consumer.track]);
      document.body.append(el);
      void el.play().catch(() => undefined);
      await signal(`consumers/${c.id}/resume`, {});
    }
  },

  /** inbound-rtp figures of the receiving transport, by kind. */
  async stats(): Promise<Record<string, { packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }>> {
    const out: Record<string, { packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }> = {};
    if (!recvTransport) return out;
    const report = await recvTransport.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded, totalAudioEnergy: s.totalAudioEnergy, audioLevel: s.audioLevel };
    });
    return out;
  },

  /** Restarts ICE of the receiving transport with new parameters from the SFU: same transport, no redial. */
  async restartIce(): Promise<{ usernameFragment: string }> {
    if (!recvTransport) throw new Error('no receiving transport');
    const { iceParameters } = await signal<{ iceParameters: types.IceParameters }>(`transports/${recvTransport.id}/restart-ice`, {});
    await recvTransport.restartIce({ iceParameters });
    return { usernameFragment: iceParameters.usernameFragment };
  },

  /** The receiving transport's id and connection state. */
  recvState(): { id?: string; state?: string } {
    return { id: recvTransport?.id, state: recvTransport?.connectionState };
  },

  /**
   * ICE username fragments of the candidate pair the receiving transport uses now: the browser's
   * (transport iceLocalUsernameFragment, else the local candidate's) and the SFU's (the remote
   * candidate's). An ICE restart changes both.
   */
  async selectedUfrags(): Promise<{ local?: string; remote?: string }> {
    if (!recvTransport) return {};
    const report = await recvTransport.getStats();
    let transport: { selectedCandidatePairId?: string; iceLocalUsernameFragment?: string } | undefined;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) transport = s;
    });
    const pair = transport?.selectedCandidatePairId ? report.get(transport.selectedCandidatePairId) : undefined;
    if (!pair || pair.state !== 'succeeded') return {};
    const local = report.get(pair.localCandidateId) as { usernameFragment?: string } | undefined;
    const remote = report.get(pair.remoteCandidateId) as { usernameFragment?: string } | undefined;
    return { local: transport?.iceLocalUsernameFragment ?? local?.usernameFragment, remote: remote?.usernameFragment };
  },

  /** The ICE candidate pair the receiving transport uses. */
  async selectedPair(): Promise<{ protocol?: string; remote?: string }> {
    if (!recvTransport) return {};
    const report = await recvTransport.getStats();
    let pairId: string | undefined;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? report.get(pairId) : undefined;
    const remote = pair ? report.get(pair.remoteCandidateId) : undefined;
    return { protocol: remote?.protocol, remote: remote ? `${remote.address}:${remote.port}` : undefined };
  },
};

window.loopback = loopback;
