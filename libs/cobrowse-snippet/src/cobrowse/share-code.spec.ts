import { expiryText, formatShareCode, isExpired } from './share-code';

describe('share code display', () => {
  it('groups the six digits for reading aloud', () => {
    expect(formatShareCode('042917')).toBe('042 917');
    expect(formatShareCode('12')).toBe('12');
  });

  it('counts down in minutes and seconds and says when the code has expired', () => {
    const t = 1_000_000;
    expect(expiryText(t + 20 * 60_000, t)).toBe('Expires in 20:00');
    expect(expiryText(t + 61_500, t)).toBe('Expires in 1:02');
    expect(expiryText(t, t)).toBe('This code has expired.');
    expect(isExpired({ phase: 'shown', code: '123456', expiresAt: t }, t)).toBe(true);
    expect(isExpired({ phase: 'shown', code: '123456', expiresAt: t + 1 }, t)).toBe(false);
    expect(isExpired({ phase: 'idle' }, t)).toBe(false);
  });
});
