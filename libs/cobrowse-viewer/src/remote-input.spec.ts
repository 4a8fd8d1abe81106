import { unfitPoint } from './fit';
import { FieldDrafts } from './remote-input';

const none = { ctrl: false, meta: false, alt: false };

describe('FieldDrafts (agent typing under remote control)', () => {
  it('sends the whole new value of the focused field on each key', () => {
    const d = new FieldDrafts();
    expect(d.key('a', none)).toBeNull(); // nothing focused
    d.focus(7, '', true);
    expect(d.key('H', none)).toEqual({ type: 'text', nodeId: 7, value: 'H' });
    expect(d.key('i', none)).toEqual({ type: 'text', nodeId: 7, value: 'Hi' });
    expect(d.key('Backspace', none)).toEqual({ type: 'text', nodeId: 7, value: 'H' });
    expect(d.key('Enter', none)).toEqual({ type: 'text', nodeId: 7, value: 'H\n' });
    expect(d.key('Shift', none)).toBeNull();
    expect(d.key('c', { ...none, ctrl: true })).toBeNull();
  });

  it('keeps a draft per field, starts from the replayed value, and masked values start empty', () => {
    const d = new FieldDrafts();
    d.focus(1, 'Dana', false);
    expect(d.key('!', none)).toEqual({ type: 'text', nodeId: 1, value: 'Dana!' });
    d.focus(2, '****', false);
    expect(d.key('x', none)).toEqual({ type: 'text', nodeId: 2, value: 'x' });
    d.focus(1, 'ignored, the draft wins', false);
    expect(d.key('?', none)).toEqual({ type: 'text', nodeId: 1, value: 'Dana!?' });
  });

  it('Enter in a single-line field is a key (it submits), Escape and Tab too', () => {
    const d = new FieldDrafts();
    d.focus(3, '', false);
    expect(d.key('Enter', none)).toEqual({ type: 'key', nodeId: 3, key: 'Enter' });
    expect(d.key('Escape', none)).toEqual({ type: 'key', nodeId: 3, key: 'Escape' });
    d.blur();
    expect(d.key('Enter', none)).toBeNull();
  });
});

describe('unfitPoint (overlay → customer page coordinates)', () => {
  it('undoes the scale and the centring offset', () => {
    const fit = { scale: 0.5, left: 20, top: 10 };
    expect(unfitPoint({ x: 20, y: 10 }, fit, { width: 1280, height: 800 })).toEqual({ x: 0, y: 0 });
    expect(unfitPoint({ x: 120, y: 60 }, fit, { width: 1280, height: 800 })).toEqual({ x: 200, y: 100 });
  });
  it('is null outside the replayed viewport', () => {
    expect(unfitPoint({ x: 5, y: 5 }, { scale: 0.5, left: 20, top: 10 }, { width: 100, height: 100 })).toBeNull();
    expect(unfitPoint({ x: 200, y: 20 }, { scale: 1, left: 0, top: 0 }, { width: 100, height: 100 })).toBeNull();
  });
});
