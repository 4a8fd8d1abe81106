import { PRIVATE_SELECTOR, isProtectedPage, matchesProtectedUrl, readScriptOptions, selectorList, splitList } from './privacy';

describe('protected pages', () => {
  const rules = ['/account/security*', '/checkout/payment'];

  it.each([
    ['https://shop.test/account/security', true],
    ['https://shop.test/account/security/', true],
    ['https://shop.test/account/security/2fa?x=1#top', true],
    ['https://shop.test/account/securityquestions', true],
    ['https://shop.test/checkout/payment', true],
    ['https://shop.test/checkout/payment/', true],
    ['https://shop.test/checkout/payment/card', false],
    ['https://shop.test/checkout', false],
    ['https://shop.test/account', false],
    ['https://shop.test/ACCOUNT/security', false],
    ['https://shop.test/x/account/security', false],
  ])('%s → %s', (href, expected) => {
    expect(matchesProtectedUrl(href, rules)).toBe(expected);
  });

  it('treats regex characters in a glob literally', () => {
    expect(matchesProtectedUrl('https://shop.test/a.b', ['/a.b'])).toBe(true);
    expect(matchesProtectedUrl('https://shop.test/aXb', ['/a.b'])).toBe(false);
    expect(matchesProtectedUrl('https://shop.test/(x)', ['/(x)'])).toBe(true);
  });

  it('matches query globs against path and query, full-URL globs against the URL', () => {
    expect(matchesProtectedUrl('https://shop.test/pay?step=card', ['/pay?step=card*'])).toBe(true);
    expect(matchesProtectedUrl('https://shop.test/pay?step=ship', ['/pay?step=card*'])).toBe(false);
    expect(matchesProtectedUrl('https://shop.test/vault/1', ['https://shop.test/vault/*'])).toBe(true);
    expect(matchesProtectedUrl('https://other.test/vault/1', ['https://shop.test/vault/*'])).toBe(false);
  });

  it('is never protected without rules or with a broken URL', () => {
    expect(matchesProtectedUrl('https://shop.test/account/security', undefined)).toBe(false);
    expect(matchesProtectedUrl('https://shop.test/account/security', [' ', ''])).toBe(false);
    expect(matchesProtectedUrl('not a url', ['*'])).toBe(false);
  });

  it('is protected by a data-cobrowse="protected" element too', () => {
    const withMarker = { querySelector: (sel: string) => (sel === '[data-cobrowse="protected"]' ? ({} as Element) : null) };
    const without = { querySelector: () => null };
    expect(isProtectedPage(withMarker, 'https://shop.test/anything', [])).toBe(true);
    expect(isProtectedPage(without, 'https://shop.test/anything', [])).toBe(false);
    expect(isProtectedPage(without, 'https://shop.test/checkout/payment', rules)).toBe(true);
  });
});

describe('site options', () => {
  it('reads the data-cobrowse-* attributes of the script tag', () => {
    const attrs: Record<string, string> = {
      'data-cobrowse-protected': ' /account/security*, /checkout/payment ,',
      'data-cobrowse-private': '.vault, #ssn',
      'data-cobrowse-mask': ' ',
    };
    expect(readScriptOptions({ getAttribute: (n) => attrs[n] ?? null })).toEqual({
      privateSelector: '.vault, #ssn',
      maskSelector: undefined,
      protectedPages: ['/account/security*', '/checkout/payment'],
    });
    expect(readScriptOptions(null)).toEqual({});
  });

  it('splits lists and joins only valid site selectors to the built-in ones', () => {
    expect(splitList('a, ,b,')).toEqual(['a', 'b']);
    expect(selectorList(PRIVATE_SELECTOR, '.vault', () => true)).toBe(`${PRIVATE_SELECTOR},.vault`);
    expect(selectorList(PRIVATE_SELECTOR, '][', () => false)).toBe(PRIVATE_SELECTOR);
    expect(selectorList(PRIVATE_SELECTOR, undefined, () => true)).toBe(PRIVATE_SELECTOR);
  });
});
