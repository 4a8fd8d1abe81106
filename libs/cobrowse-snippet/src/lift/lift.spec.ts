import { INITIAL_LIFT, fullViewUrl, invitation, updateLift, type LiftState } from './lift';

const offer = (video = true, by: string | null = 'Alex Agent') => ({ offer: { video, by } });
const run = (...steps: Array<[Partial<LiftState>, ('call' | 'proxy' | 'document')?]>): LiftState =>
  steps.reduce<LiftState>((s, [patch, again]) => updateLift(s, patch, again), INITIAL_LIFT);

describe('the lift into the full view', () => {
  it('says nothing while only the chat runs', () => {
    expect(invitation(INITIAL_LIFT, 'Alex')).toBeNull();
    expect(invitation(run([{ mode: 'direct' }]), 'Alex')).toBeNull();
  });

  it('puts each offer in words: call, browse together, documents', () => {
    expect(invitation(run([offer()]), 'Alex')).toEqual({ kind: 'call', title: 'Alex Agent invites you to a video call', button: 'Join the call' });
    expect(invitation(run([offer(false, null)]), 'Alex')?.title).toBe('Alex invites you to a voice call');
    expect(invitation(run([{ proxyOn: true }]), 'Alex')?.title).toBe('Alex invites you to browse a page together');
    expect(invitation(run([{ mode: 'proxy' }]), null)?.title).toBe('The agent invites you to browse a page together');
    expect(invitation(run([{ mode: 'document' }]), 'Alex')?.title).toBe('Alex shared a document with you');
    expect(invitation(run([{ docs: 1 }]), 'Alex')?.kind).toBe('document');
  });

  it('asks about the call first, then what the agent switched to', () => {
    const both = run([{ proxyOn: true, docs: 2 }], [offer()]);
    expect(invitation(both, 'Alex')?.kind).toBe('call');
    expect(invitation(updateLift(both, { offer: null }), 'Alex')?.kind).toBe('proxy');
    expect(invitation(updateLift(updateLift(both, { offer: null }), { first: 'document' }, 'document'), 'Alex')?.kind).toBe('document');
  });

  it('an answered invitation stays away until the agent asks again', () => {
    let s = run([offer()]);
    s = updateLift(s, { answered: [...s.answered, 'call'] });
    expect(invitation(s, 'Alex')).toBeNull();
    // The same offer, repeated by a reconnect, is not a new question.
    s = updateLift(s, offer());
    expect(invitation(s, 'Alex')).toBeNull();
    // The offer ends and a new one comes.
    s = updateLift(updateLift(s, { offer: null }), offer(false));
    expect(invitation(s, 'Alex')?.title).toBe('Alex Agent invites you to a voice call');

    s = updateLift(s, { offer: null, mode: 'document', docs: 1 });
    s = updateLift(s, { answered: [...s.answered, 'document'] });
    expect(invitation(s, 'Alex')).toBeNull();
    // The agent switches back to the documents, or adds one: asked again.
    expect(invitation(updateLift(s, { first: 'document' }, 'document'), 'Alex')?.kind).toBe('document');
    expect(invitation(updateLift(s, { docs: 1 }), 'Alex')).toBeNull();
  });

  it('links to the platform’s own join page with the token in the fragment only', () => {
    expect(fullViewUrl('https://engage.example.com', 'a.b-c.d_e')).toBe('https://engage.example.com/join#session=a.b-c.d_e');
    expect(fullViewUrl('http://127.0.0.1:3000/support', 'tok')).toBe('http://127.0.0.1:3000/support/join#session=tok');
    expect(fullViewUrl('https://engage.example.com', 'x&y=z')).toBe('https://engage.example.com/join#session=x%26y%3Dz');
    expect(fullViewUrl('javascript:alert(1)//', 'tok')).toBeNull();
    expect(fullViewUrl('https://engage.example.com?next=evil', 'tok')).toBeNull();
    expect(fullViewUrl('//evil.example', 'tok')).toBeNull();
  });
});
