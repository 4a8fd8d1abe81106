import { listDevices, trackConstraints } from './devices';

describe('listDevices', () => {
  it('lists microphones and cameras apart, with a label for the unlabelled ones', async () => {
    const all = [
      { kind: 'audioinput', deviceId: 'default', label: 'Default Microphone' },
      { kind: 'audioinput', deviceId: 'm2', label: '' },
      { kind: 'videoinput', deviceId: 'c1', label: 'Front camera' },
      { kind: 'audiooutput', deviceId: 's1', label: 'Speakers' },
      // Before permission a browser lists devices without ids: nothing to choose.
      { kind: 'videoinput', deviceId: '', label: '' },
    ] as MediaDeviceInfo[];
    const devices = await listDevices({ enumerateDevices: async () => all });
    expect(devices).toEqual({
      audio: [
        { id: 'default', label: 'Default Microphone' },
        { id: 'm2', label: 'Microphone 2' },
      ],
      video: [{ id: 'c1', label: 'Front camera' }],
    });
  });
});

describe('trackConstraints', () => {
  it('asks for the chosen device exactly, the camera at the call size', () => {
    expect(trackConstraints('audio')).toBe(true);
    expect(trackConstraints('audio', 'm2')).toEqual({ deviceId: { exact: 'm2' } });
    expect(trackConstraints('video')).toEqual({ width: 640, height: 360, frameRate: 15 });
    expect(trackConstraints('video', 'c1')).toEqual({ width: 640, height: 360, frameRate: 15, deviceId: { exact: 'c1' } });
  });
});
