import { REFUSED, controlRefusal, isOpenField, type TargetInfo } from './control-rules';

const field = (over: Partial<TargetInfo> = {}): TargetInfo => ({
  tag: 'input',
  type: 'text',
  autocomplete: '',
  name: 'fullName',
  id: '',
  hidden: false,
  inWidget: false,
  opened: false,
  locked: false,
  ...over,
});
const button = field({ tag: 'button', type: '', name: '' });

describe('remote control refusal rules (customer side)', () => {
  it('lets the agent press buttons and links, and scroll', () => {
    expect(controlRefusal(button, 'click')).toBeNull();
    expect(controlRefusal(field({ tag: 'a', type: '' }), 'click')).toBeNull();
    expect(controlRefusal(button, 'key')).toBeNull();
    expect(controlRefusal(field({ tag: 'div', type: '' }), 'scroll')).toBeNull();
  });

  it('refuses every field the site has not opened (all inputs are masked by default)', () => {
    for (const input of ['click', 'text', 'key', 'select'] as const) {
      expect(controlRefusal(field(), input)).toBe(REFUSED.closed);
      expect(controlRefusal(field({ tag: 'textarea', type: '' }), input)).toBe(REFUSED.closed);
      expect(controlRefusal(field({ tag: 'select', type: '' }), input)).toBe(REFUSED.closed);
    }
  });

  it('accepts typing into a field opened with data-cobrowse="allow"', () => {
    expect(controlRefusal(field({ opened: true }), 'text')).toBeNull();
    expect(controlRefusal(field({ opened: true }), 'click')).toBeNull();
    expect(controlRefusal(field({ tag: 'textarea', type: '', name: 'note', opened: true }), 'text')).toBeNull();
    expect(controlRefusal(field({ tag: 'select', type: '', name: 'size', opened: true }), 'select')).toBeNull();
    expect(isOpenField(field({ opened: true }))).toBe(true);
  });

  it('never opens passwords, card fields or one-time codes, whatever the markup says', () => {
    const secrets: Array<Partial<TargetInfo>> = [
      { type: 'password', name: 'pw' },
      { autocomplete: 'cc-number', name: 'x' },
      { autocomplete: 'cc-csc', name: 'x' },
      { name: 'cardnumber' },
      { name: 'cvc' },
      { id: 'cc-exp' },
      { name: 'iban' },
      { autocomplete: 'one-time-code', name: 'code' },
      { type: 'hidden', name: 'token' },
    ];
    for (const s of secrets) {
      const t = field({ ...s, opened: true });
      expect(controlRefusal(t, 'text')).toBe(REFUSED.secret);
      expect(controlRefusal(t, 'click')).toBe(REFUSED.secret);
      expect(isOpenField(t)).toBe(false);
    }
  });

  it('refuses anything in a private or masked area, and the widget itself', () => {
    expect(controlRefusal({ ...button, hidden: true }, 'click')).toBe(REFUSED.hidden);
    expect(controlRefusal(field({ hidden: true, opened: true }), 'text')).toBe(REFUSED.hidden);
    expect(controlRefusal({ ...button, hidden: true }, 'scroll')).toBe(REFUSED.hidden);
    expect(controlRefusal({ ...button, inWidget: true }, 'click')).toBe(REFUSED.widget);
    expect(isOpenField(field({ hidden: true, opened: true }))).toBe(false);
  });

  it('refuses inputs that do not fit the element, locked fields, and missing nodes', () => {
    expect(controlRefusal(button, 'text')).toBe(REFUSED.kind);
    expect(controlRefusal(field({ opened: true }), 'select')).toBe(REFUSED.kind);
    expect(controlRefusal(field({ type: 'checkbox', opened: true }), 'text')).toBe(REFUSED.kind);
    expect(controlRefusal(field({ opened: true, locked: true }), 'text')).toBe(REFUSED.locked);
    expect(controlRefusal(null, 'click')).toBe(REFUSED.missing);
  });
});
