import { classifyAddress, parseAddress, parseIPv4, parseIPv6 } from './address';
import { AllowList, checkResolved, checkTarget, checkUrl } from './url-policy';

const none = AllowList.empty();
const cls = (host: string) => {
  const a = parseAddress(host);
  return a ? classifyAddress(a) : 'not-an-address';
};

describe('parseIPv4', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['2130706433', [127, 0, 0, 1]],
    ['0x7f000001', [127, 0, 0, 1]],
    ['0X7F000001', [127, 0, 0, 1]],
    ['017700000001', [127, 0, 0, 1]],
    ['0177.0.0.1', [127, 0, 0, 1]],
    ['0x7f.1', [127, 0, 0, 1]],
    ['127.1', [127, 0, 0, 1]],
    ['127.0.1', [127, 0, 0, 1]],
    ['10.0.0.5.', [10, 0, 0, 5]],
    ['0', [0, 0, 0, 0]],
    ['0x', [0, 0, 0, 0]],
    ['169.254.43518', [169, 254, 169, 254]],
    ['8.8.8.8', [8, 8, 8, 8]],
  ])('%s', (text, bytes) => expect(parseIPv4(text)).toEqual(bytes));

  it.each(['256.0.0.1', '1.2.3.4.5', '08.1.1.1', 'example.com', '1..2', '4294967296', '0x1g', ''])('rejects %s', (text) =>
    expect(parseIPv4(text)).toBeNull(),
  );
});

describe('parseIPv6', () => {
  it.each([
    ['::1', [...Array(15).fill(0), 1]],
    ['[::1]', [...Array(15).fill(0), 1]],
    ['::', Array(16).fill(0)],
    ['::ffff:127.0.0.1', [...Array(10).fill(0), 255, 255, 127, 0, 0, 1]],
    ['::ffff:7f00:1', [...Array(10).fill(0), 255, 255, 127, 0, 0, 1]],
    ['0:0:0:0:0:0:0:1', [...Array(15).fill(0), 1]],
    ['fe80::1', [0xfe, 0x80, ...Array(13).fill(0), 1]],
  ])('%s', (text, bytes) => expect(parseIPv6(text)).toEqual(bytes));

  it.each(['1:2:3', ':::1', '1::2::3', 'fe80::1%eth0', 'gggg::1', '1:2:3:4:5:6:7:8:9', '::ffff:300.1.1.1'])('rejects %s', (text) =>
    expect(parseIPv6(text)).toBeNull(),
  );

  it('prints canonical text', () => {
    expect(parseAddress('0:0:0:0:0:ffff:7f00:1')?.text).toBe('::ffff:7f00:1');
    expect(parseAddress('2001:DB8:0:0:1:0:0:1')?.text).toBe('2001:db8::1:0:0:1');
    expect(parseAddress('0x7f000001')?.text).toBe('127.0.0.1');
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['2130706433', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
  ])('%s is %s', (host, expected) => expect(cls(host)).toBe(expected));

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.253.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::'])(
    '%s is public',
    (host) => expect(cls(host)).toBeNull(),
  );
});

describe('checkUrl', () => {
  it.each([
    ['file:///etc/hostname', 'blocked: scheme file'],
    ['chrome://version', 'blocked: scheme chrome'],
    ['view-source:http://example.com', 'blocked: scheme view-source'],
    ['data:text/html,<b>x</b>', 'blocked: scheme data'],
    ['javascript:alert(1)', 'blocked: scheme javascript'],
    ['ftp://example.com/', 'blocked: scheme ftp'],
    ['http://127.0.0.1:8080/', 'blocked: loopback address 127.0.0.1'],
    ['http://[::1]:8080/', 'blocked: loopback address ::1'],
    ['http://0x7f000001:8080/', 'blocked: loopback address 127.0.0.1'],
    ['http://2130706433/', 'blocked: loopback address 127.0.0.1'],
    ['http://0177.0.0.1/', 'blocked: loopback address 127.0.0.1'],
    ['http://127.1/', 'blocked: loopback address 127.0.0.1'],
    ['http://localhost:3000/', 'blocked: loopback name localhost'],
    ['http://LOCALHOST./', 'blocked: loopback name localhost'],
    ['http://app.localhost/', 'blocked: loopback name app.localhost'],
    ['http://0.0.0.0/', 'blocked: unspecified address 0.0.0.0'],
    ['http://10.0.0.1/', 'blocked: private address 10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data', 'blocked: link-local address 169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/', 'blocked: link-local address ::ffff:a9fe:a9fe'],
    ['http://[fd00::1]/', 'blocked: unique-local address fd00::1'],
    ['http://100.64.1.1/', 'blocked: carrier-grade NAT address 100.64.1.1'],
    ['http://user:pw@example.com/', 'blocked: credentials in URL'],
  ])('%s → %s', (url, reason) => expect(checkUrl(url, none, { topLevel: true })).toEqual({ ok: false, reason }));

  it.each(['http://example.com/', 'https://example.com:8443/a?b', 'http://8.8.8.8/'])('%s is allowed', (url) =>
    expect(checkUrl(url, none, { topLevel: true })).toEqual({ ok: true }),
  );

  it('allows ws(s) only below the top level', () => {
    expect(checkUrl('wss://example.com/socket', none)).toEqual({ ok: true });
    expect(checkUrl('wss://example.com/socket', none, { topLevel: true })).toEqual({ ok: false, reason: 'blocked: scheme wss' });
  });
});

describe('allow list', () => {
  const allow = AllowList.parse('127.0.0.1:4000, [::1]:4001,fixture.test:80');
  it('allows exactly the listed host:port', () => {
    expect(checkUrl('http://127.0.0.1:4000/', allow)).toEqual({ ok: true });
    expect(checkUrl('http://0x7f000001:4000/', allow)).toEqual({ ok: true });
    expect(checkUrl('http://[::1]:4001/', allow)).toEqual({ ok: true });
    expect(checkUrl('http://127.0.0.1:4001/', allow)).toMatchObject({ ok: false });
    expect(checkUrl('http://localhost:4000/', allow)).toMatchObject({ ok: false });
  });
  it('matches the requested name, not the address it resolves to', () => {
    expect(checkResolved('rebind.test', 4000, ['127.0.0.1'], allow)).toEqual({
      ok: false,
      reason: 'blocked: rebind.test resolves to loopback address 127.0.0.1',
    });
    expect(checkResolved('fixture.test', 80, ['127.0.0.1'], allow)).toEqual({ ok: true });
  });
  it.each(['127.0.0.1', 'host:99999', ':80', 'a b:1'])('refuses the entry %s', (entry) => expect(() => AllowList.parse(entry)).toThrow(/host:port/));
});

describe('checkResolved', () => {
  it('refuses when any address is not public', () => {
    expect(checkResolved('mixed.test', 443, ['8.8.8.8', '10.0.0.5'], none)).toEqual({
      ok: false,
      reason: 'blocked: mixed.test resolves to private address 10.0.0.5',
    });
    expect(checkResolved('v6.test', 443, ['::ffff:127.0.0.1'], none)).toMatchObject({ ok: false });
    expect(checkResolved('none.test', 443, [], none)).toMatchObject({ ok: false });
    expect(checkResolved('ok.test', 443, ['93.184.216.34', '2606:2800:220:1::'], none)).toEqual({ ok: true });
  });
  it('refuses odd host names before any lookup', () => {
    expect(checkTarget('exa mple.com', 80, none)).toMatchObject({ ok: false });
    expect(checkTarget('example.com', 80, none)).toEqual({ ok: true });
  });
});
