import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  type ElementRef,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import type { PendingMessage } from '@engage/chat-client';
import { LIMITS } from '@engage/protocol';
import type { ChatState } from '../../core/realtime/chat-state';
import { formatTime } from '../../core/format';

let nextId = 0;

/** History, outbox, typing and read receipts of one engagement, plus the send box unless read-only. */
@Component({
  selector: 'app-chat-panel',
  template: `
    <div class="log" #log role="log" aria-live="polite" [attr.aria-label]="logLabel()" tabindex="0" (scroll)="onScroll()">
      @if (!state().loaded() && state().messages().length === 0) {
        <p class="hint">Loading the conversation…</p>
      }
      @for (m of state().messages(); track m.seq) {
        @if (m.sender.role === 'system') {
          <p class="system" data-testid="chat-message">{{ m.body }}</p>
        } @else {
          <article class="msg" [class.mine]="m.sender.role === mine()" data-testid="chat-message" [attr.data-seq]="m.seq">
            <header class="meta">
              <span class="who">{{ m.sender.role === mine() && !readOnly() ? 'You' : m.sender.name || (m.sender.role === 'customer' ? 'Customer' : 'Agent') }}</span>
              <time [attr.datetime]="m.sentAt">{{ time(m.sentAt) }}</time>
            </header>
            <p class="body">{{ m.body }}</p>
            @if (m.sender.role === mine() && !readOnly()) {
              @let read = m.seq <= state().peerReadSeq();
              <span class="receipt" [class.read]="read" data-testid="receipt" role="img" [attr.data-read]="read" [attr.aria-label]="read ? 'Read' : 'Sent'">{{ read ? '✓✓' : '✓' }}</span>
            }
          </article>
        }
      } @empty {
        @if (state().loaded() && state().pending().length === 0) {
          <p class="hint">No messages yet.</p>
        }
      }
      @for (p of state().pending(); track p.clientId) {
        <article class="msg mine pending" [class.failed]="p.status === 'failed'" data-testid="chat-message" data-pending="true">
          <p class="body">{{ p.body }}</p>
          @if (p.status === 'failed') {
            <p class="fail" role="alert">
              Not sent: {{ p.error?.message || 'the server refused it.' }}
              <button type="button" class="link" (click)="state().discard(p.clientId)">Remove</button>
            </p>
          } @else {
            <span class="receipt" data-testid="pending">{{ pendingLabel(p) }}</span>
          }
        </article>
      }
    </div>
    <div class="typing-slot" aria-live="polite">
      @if (state().peerTyping(); as name) {
        <p class="typing" data-testid="typing"><span class="dots" aria-hidden="true"><i></i><i></i><i></i></span> {{ name }} is typing…</p>
      }
    </div>
    @if (!readOnly()) {
      @if (state().ended()) {
        <p class="closed-note">This conversation has ended.</p>
      } @else {
        <form class="composer" (submit)="submit($event)">
          <label class="visually-hidden" [for]="inputId">Message</label>
          <textarea
            #box
            [id]="inputId"
            data-testid="chat-input"
            rows="1"
            placeholder="Write a message…"
            [maxLength]="maxChars"
            [value]="draft()"
            (input)="onInput($event)"
            (keydown.enter)="onEnter($event)"
            enterkeyhint="send"
          ></textarea>
          <button type="submit" class="btn primary" data-testid="chat-send" [disabled]="!canSend()">Send</button>
        </form>
      }
    }
  `,
  styleUrl: './chat-panel.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatPanelComponent {
  readonly state = input.required<ChatState>();
  /** Which sender is "me" (right-aligned, with receipts). */
  readonly mine = input<'customer' | 'agent'>('agent');
  readonly readOnly = input(false);
  readonly peerName = input('');

  protected readonly inputId = `chat-input-${++nextId}`;
  protected readonly maxChars = LIMITS.chatBodyMaxChars;
  protected readonly draft = signal('');
  protected readonly canSend = computed(() => this.draft().trim().length > 0 && !this.state().ended());
  protected readonly logLabel = computed(() => (this.peerName() ? `Conversation with ${this.peerName()}` : 'Conversation'));
  protected readonly time = formatTime;

  private readonly log = viewChild.required<ElementRef<HTMLElement>>('log');
  private readonly box = viewChild<ElementRef<HTMLTextAreaElement>>('box');
  #stickToBottom = true;

  constructor() {
    afterRenderEffect(() => {
      this.state().messages();
      this.state().pending();
      this.state().peerTyping();
      const el = this.log().nativeElement;
      if (this.#stickToBottom) el.scrollTop = el.scrollHeight;
    });

    // Everything shown while the page is visible counts as read.
    effect(() => {
      const state = this.state();
      const msgs = state.messages();
      if (this.readOnly() || msgs.length === 0) return;
      if (document.visibilityState === 'visible') state.session.markRead(msgs[msgs.length - 1].seq);
    });
    const onVisible = () => {
      const msgs = this.state().messages();
      if (!this.readOnly() && msgs.length && document.visibilityState === 'visible') this.state().session.markRead(msgs[msgs.length - 1].seq);
    };
    document.addEventListener('visibilitychange', onVisible);
    inject(DestroyRef).onDestroy(() => document.removeEventListener('visibilitychange', onVisible));
  }

  protected onScroll(): void {
    const el = this.log().nativeElement;
    this.#stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  }

  protected onInput(event: Event): void {
    const el = event.target as HTMLTextAreaElement;
    this.draft.set(el.value);
    this.state().session.setTyping(el.value.length > 0);
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }

  protected onEnter(event: Event): void {
    const e = event as KeyboardEvent;
    if (e.shiftKey || e.isComposing) return;
    e.preventDefault();
    this.#send();
  }

  protected submit(event: Event): void {
    event.preventDefault();
    this.#send();
    this.box()?.nativeElement.focus();
  }

  protected pendingLabel(p: PendingMessage): string {
    if (this.state().status() !== 'connected') return 'Waiting for connection…';
    return p.attempts > 1 ? 'Retrying…' : 'Sending…';
  }

  #send(): void {
    const body = this.draft().trim();
    if (!body || this.state().ended()) return;
    this.state().send(body);
    this.draft.set('');
    this.#stickToBottom = true;
    const el = this.box()?.nativeElement;
    if (el) {
      el.value = '';
      el.style.height = 'auto';
    }
  }
}
