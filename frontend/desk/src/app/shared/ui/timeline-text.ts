import type { TimelineEntry } from '@engage/protocol';
import { endReasonLabel } from '../../core/format';

/** Who the two people of an engagement are, as the timeline names them. */
export interface TimelineNames {
  agent: string;
  customer: string;
}

const SHOWN: Record<string, string> = {
  chat: 'went back to the chat',
  direct: 'showed the customer’s page',
  proxy: 'showed the shared browser',
  document: 'showed the documents',
};

/** One timeline row in words a person understands ("Alex offered a video call"). */
export function describeTimelineEntry(e: TimelineEntry, names: TimelineNames): string {
  const d = e.detail ?? {};
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const who = e.actor === 'agent' ? names.agent : e.actor === 'customer' ? names.customer : e.actor === 'supervisor' ? 'A supervisor' : 'The system';
  const kind = str('kind') === 'audio' ? 'voice' : 'video';
  switch (e.type) {
    case 'engagement.requested':
      return `${names.customer} asked for help${str('pageUrl') ? ` on ${str('pageUrl')}` : ''}`;
    case 'engagement.invited':
      return `${who} created an invitation`;
    case 'engagement.joined':
      return `${names.customer} joined with the code`;
    case 'engagement.accepted':
      return `${names.agent} accepted the conversation`;
    case 'engagement.ended':
      return `The conversation ${endReasonLabel(str('reason')) || 'ended'}`;
    case 'call.offered':
      return `${who} offered a ${kind} call`;
    case 'call.accepted':
      return `${who} accepted the ${kind} call`;
    case 'call.declined':
      return `${who} declined the call`;
    case 'call.ended':
      return e.actor === 'system' ? 'The call ended' : `${who} ended the call`;
    case 'call.listen':
      return `${str('name') || who} listened in on the call`;
    case 'cobrowse.requested':
      return `${who} asked to see ${names.customer}’s page`;
    case 'cobrowse.accepted':
      return `${names.customer} shared their page`;
    case 'cobrowse.declined':
      return `${names.customer} declined to share their page`;
    case 'cobrowse.stopped':
      return `Page sharing stopped${e.actor === 'agent' || e.actor === 'customer' ? ` by ${who}` : ''}${str('switchedTo') === 'proxy' ? ' to browse together' : ''}`;
    case 'cobrowse.expired':
      return `No answer to the request to share the page`;
    case 'cobrowse.paused':
      return `Page sharing paused (a private page)`;
    case 'cobrowse.resumed':
      return `Page sharing resumed`;
    case 'cobrowse.control_requested':
      return `${who} asked for control of the page`;
    case 'cobrowse.control_granted':
      return `${names.customer} gave control of the page`;
    case 'cobrowse.control_declined':
      return `${names.customer} declined to give control`;
    case 'cobrowse.control_revoked':
      return `Control of the page ended`;
    case 'cobrowse.control_expired':
      return `No answer to the request for control`;
    case 'cobrowse.code_created':
      return `${names.customer} made a code to share their page`;
    case 'cobrowse.code_cancelled':
      return `${names.customer} withdrew their share code`;
    case 'cobrowse.code_redeemed':
      return `${who} entered the customer’s share code`;
    case 'proxy.started':
      return `${who} started browsing together${str('url') ? ` at ${str('url')}` : ''}`;
    case 'proxy.control':
      return `${who} took control of the shared browser`;
    case 'proxy.stopped':
      return `Browsing together stopped${e.actor === 'agent' || e.actor === 'customer' ? ` by ${who}` : ''}${str('reason') === 'switched-to-direct' ? ' to see the customer’s page' : ''}`;
    case 'mode.shown':
      return `${who} ${SHOWN[str('mode')] ?? 'switched view'}`;
    default: {
      // Rows of domains that arrive later (doc.opened, doc.signed…) still read as a sentence.
      const [domain, action = ''] = e.type.split('.');
      const what = action.replace(/_/g, ' ');
      const name = str('name') || str('fileName');
      if (domain === 'doc') return `${who}: document ${what}${name ? ` (${name})` : ''}`;
      return `${who}: ${domain} ${what}`.trim();
    }
  }
}
