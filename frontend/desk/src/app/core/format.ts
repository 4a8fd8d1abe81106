/** "0:42", "12:05", "1:02:09" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateTimeFmt.format(d);
}

export function stateLabel(state: 'requested' | 'active' | 'ended'): string {
  return state === 'requested' ? 'Waiting' : state === 'active' ? 'Active' : 'Ended';
}

export function endReasonLabel(reason: string | null): string {
  switch (reason) {
    case 'agent':
      return 'ended by the agent';
    case 'customer':
      return 'ended by the customer';
    case 'timeout':
      return 'timed out';
    case 'error':
      return 'ended by an error';
    default:
      return '';
  }
}
