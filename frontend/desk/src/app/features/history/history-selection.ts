import { Injectable, signal } from '@angular/core';

/** Which past engagement the transcript pane shows; the list highlights it. */
@Injectable()
export class HistorySelection {
  readonly id = signal<string | null>(null);
}
