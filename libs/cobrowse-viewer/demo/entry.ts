// Browser entry for the replay check: the viewer plus a stand-in for the socket (no backend).
import { EV, type CobrowseView, type RecordedEvent } from '@engage/protocol';
import { CobrowseViewer, type ViewerSocket } from '../src';

type Fn = (payload: unknown) => void;
const listeners = new Map<string, Set<Fn>>();
let checkpoint: RecordedEvent[] = [];
const view: CobrowseView = {
  engagementId: 'e1',
  status: 'active',
  agentName: 'Alex',
  reason: null,
  page: { url: 'http://demo/', title: 'Demo' },
  since: null,
};
const requests: string[] = [];

const socket: ViewerSocket = {
  request: ((event: string) => {
    requests.push(event);
    if (event === EV.cobrowseWatch) return new Promise((r) => setTimeout(() => r({ cobrowse: view, checkpoint }), 20));
    return Promise.resolve({});
  }) as ViewerSocket['request'],
  on: ((event: string, fn: Fn) => {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(fn);
    return () => listeners.get(event)!.delete(fn);
  }) as ViewerSocket['on'],
  onStatus: (fn) => {
    fn('connected');
    return () => undefined;
  },
};

let viewer: CobrowseViewer | null = null;
Object.assign(window, {
  harness: {
    setCheckpoint: (events: RecordedEvent[]) => void (checkpoint = events),
    open: () => {
      viewer = CobrowseViewer.create({ container: document.getElementById('view')!, socket, engagementId: 'e1' });
    },
    push: (events: RecordedEvent[]) => {
      for (const fn of listeners.get(EV.cobrowseEvents) ?? []) fn({ engagementId: 'e1', events });
    },
    text: () => viewer?.replayedDocument()?.body?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
    sandbox: () => viewer?.replayFrame()?.getAttribute('sandbox') ?? null,
    status: () => viewer?.status ?? null,
    transform: () => (viewer?.replayFrame()?.parentElement as HTMLElement | undefined)?.style.transform ?? null,
    close: () => viewer?.close(),
    closeAgain: () => viewer?.close(),
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    requests: () => requests,
    frameCount: () => document.querySelectorAll('#view iframe').length,
  },
});
