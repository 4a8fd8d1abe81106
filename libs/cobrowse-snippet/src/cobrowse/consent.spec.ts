import type { CobrowseView } from '@engage/protocol';
import { consentPrompt, controlPrompt, initialConsent, mayBeControlled, reduceConsent, sharingBanner, shouldRecord, type ConsentAction, type ConsentState } from './consent';

const view = (over: Partial<CobrowseView>): CobrowseView => ({
  engagementId: 'e1',
  status: 'off',
  control: 'none',
  agentName: 'Maya',
  reason: null,
  page: null,
  since: null,
  ...over,
});
const run = (...actions: ConsentAction[]): ConsentState => actions.reduce(reduceConsent, initialConsent());

describe('co-browse consent', () => {
  it('shows nothing and records nothing while off', () => {
    const s = initialConsent();
    expect(consentPrompt(s)).toBeNull();
    expect(sharingBanner(s)).toBeNull();
    expect(shouldRecord(s)).toBe(false);
  });

  it('asks with the agent name, and counts each new request once', () => {
    const s = run({ type: 'server', view: view({ status: 'requesting' }) });
    expect(consentPrompt(s)).toEqual({ title: 'Maya would like to see this page', busy: false, error: null });
    expect(s.promptSeq).toBe(1);
    expect(shouldRecord(s)).toBe(false);
    expect(reduceConsent(s, { type: 'server', view: view({ status: 'requesting' }) }).promptSeq).toBe(1);
    const again = run({ type: 'server', view: view({ status: 'requesting' }) }, { type: 'server', view: view({ status: 'off' }) }, { type: 'server', view: view({ status: 'requesting' }) });
    expect(again.promptSeq).toBe(2);
  });

  it('falls back to "An agent" without a name', () => {
    expect(consentPrompt(run({ type: 'server', view: view({ status: 'requesting', agentName: null }) }))?.title).toBe('An agent would like to see this page');
  });

  it('waits on its own answer and says when it failed', () => {
    const asked = run({ type: 'server', view: view({ status: 'requesting' }) }, { type: 'busy' });
    expect(consentPrompt(asked)?.busy).toBe(true);
    const failed = reduceConsent(asked, { type: 'failed', message: 'Try again.' });
    expect(consentPrompt(failed)).toEqual({ title: 'Maya would like to see this page', busy: false, error: 'Try again.' });
  });

  it('records and shows the banner only while active on a page that is not protected', () => {
    const active = run({ type: 'server', view: view({ status: 'active', since: 't1' }) });
    expect(shouldRecord(active)).toBe(true);
    expect(consentPrompt(active)).toBeNull();
    expect(sharingBanner(active)).toEqual({ kind: 'active', text: 'Maya can see this page', note: null, busy: false, error: null, controlled: false });

    const onProtected = reduceConsent(active, { type: 'page', protected: true });
    expect(shouldRecord(onProtected)).toBe(false);
    expect(sharingBanner(onProtected)?.kind).toBe('paused');
  });

  it('explains pausing, and what sharing a protected page means', () => {
    const paused = run({ type: 'server', view: view({ status: 'paused', since: 't1' }) });
    expect(shouldRecord(paused)).toBe(false);
    expect(sharingBanner(paused)).toMatchObject({ kind: 'paused', text: 'Sharing is paused on this page', note: null });
    const prot = reduceConsent(paused, { type: 'page', protected: true });
    expect(sharingBanner(prot)?.note).toBe('This page is private. Sharing it will show it to Maya.');
  });

  it('stops at once on the customer stop and ignores a late "active" of the same session', () => {
    const active = run({ type: 'server', view: view({ status: 'active', since: 't1' }) });
    const stopped = reduceConsent(active, { type: 'stopped' });
    expect(shouldRecord(stopped)).toBe(false);
    expect(sharingBanner(stopped)).toBeNull();
    expect(reduceConsent(stopped, { type: 'server', view: view({ status: 'active', since: 't1' }) })).toBe(stopped);
    // a new session (the agent asked again and the customer accepted) is honoured
    const next = reduceConsent(stopped, { type: 'server', view: view({ status: 'active', since: 't2' }) });
    expect(shouldRecord(next)).toBe(true);
    expect(next.stoppedSince).toBeNull();
  });

  it('removes everything when the server says off or the connection is gone', () => {
    const active = run({ type: 'server', view: view({ status: 'active', since: 't1' }) });
    expect(sharingBanner(reduceConsent(active, { type: 'server', view: view({ status: 'off', reason: 'stopped by the agent' }) }))).toBeNull();
    const reset = reduceConsent(active, { type: 'reset' });
    expect(shouldRecord(reset)).toBe(false);
    expect(sharingBanner(reset)).toBeNull();
  });

  it('keeps the agent name it knew when a later view has none', () => {
    const s = run({ type: 'server', view: view({ status: 'active', since: 't1' }) }, { type: 'server', view: view({ status: 'paused', since: 't1', agentName: null }) });
    expect(s.agentName).toBe('Maya');
  });
});

describe('remote control consent (widget side)', () => {
  const active = (control: CobrowseView['control']) => view({ status: 'active', since: 's1', control });

  it('asks a second time, once per request, and only while sharing', () => {
    const s = run({ type: 'server', view: active('none') }, { type: 'server', view: active('requesting') });
    expect(controlPrompt(s)).toEqual({ title: 'Maya asks to control this page', busy: false, error: null });
    expect(s.controlPromptSeq).toBe(1);
    expect(reduceConsent(s, { type: 'server', view: active('requesting') }).controlPromptSeq).toBe(1);
    expect(controlPrompt(reduceConsent(s, { type: 'page', protected: true }))).toBeNull();
    expect(mayBeControlled(s)).toBe(false);
  });

  it('granted: the banner says so and offers to take control back', () => {
    const s = run({ type: 'server', view: active('granted') });
    expect(mayBeControlled(s)).toBe(true);
    expect(sharingBanner(s)).toMatchObject({ text: 'Maya can see and control this page', controlled: true });
  });

  it('taking control back counts at once, and a late "granted" of the server is ignored until it confirms', () => {
    const revoked = run({ type: 'server', view: active('granted') }, { type: 'controlRevoked' });
    expect(mayBeControlled(revoked)).toBe(false);
    const late = reduceConsent(revoked, { type: 'server', view: active('granted') });
    expect(late.control).toBe('none');
    const done = run({ type: 'server', view: active('granted') }, { type: 'controlRevoked' }, { type: 'server', view: active('none') }, { type: 'controlRevokeDone' });
    expect(done.controlRevoking).toBe(false);
    expect(mayBeControlled(reduceConsent(done, { type: 'server', view: active('granted') }))).toBe(true);
  });

  it('stop, pause and end take control away', () => {
    const granted = run({ type: 'server', view: active('granted') });
    expect(mayBeControlled(reduceConsent(granted, { type: 'stopped' }))).toBe(false);
    expect(mayBeControlled(reduceConsent(granted, { type: 'page', protected: true }))).toBe(false);
    expect(reduceConsent(granted, { type: 'server', view: view({ status: 'paused', control: 'granted' }) }).control).toBe('none');
    expect(reduceConsent(granted, { type: 'reset' }).control).toBe('none');
  });
});
