import { resolvePlatformUrl } from './platform';

describe('resolvePlatformUrl', () => {
  const page = 'https://shop.test/products';

  it('uses the folder the script came from', () => {
    expect(resolvePlatformUrl(null, 'https://platform.test/widget.js', page)).toBe('https://platform.test');
    expect(resolvePlatformUrl(null, 'https://edge.test/engage/widget.js?v=3', page)).toBe('https://edge.test/engage');
    expect(resolvePlatformUrl(undefined, 'http://localhost:3300/widget.js', page)).toBe('http://localhost:3300');
  });

  it('prefers data-engage-url', () => {
    expect(resolvePlatformUrl('https://api.test/', 'https://cdn.test/w/widget.js', page)).toBe('https://api.test');
    expect(resolvePlatformUrl('/engage', null, page)).toBe('https://shop.test/engage');
  });

  it('refuses what is not http(s)', () => {
    expect(resolvePlatformUrl(null, null, page)).toBeNull();
    expect(resolvePlatformUrl('javascript:alert(1)', null, page)).toBeNull();
    expect(resolvePlatformUrl('http://[bad', null, page)).toBeNull();
  });
});
