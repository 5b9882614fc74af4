import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import { readEvent, type StoredEvent } from './payload.js';

/**
 * How long an event may commit after one with a higher sequence number. PostgreSQL hands out
 * sequence numbers at insert but transactions commit in any order, so the feed keeps looking
 * below the highest number it has seen for this long before it moves past.
 */
export const SETTLE_MS = 30_000;
const REPLAY_PAGE = 500;

type Listener = (event: StoredEvent) => void;

/**
 * The live feed of committed envelope events for this node's SSE streams. It polls the event
 * table by sequence number, so events committed on any node reach streams on every node; a poke
 * after a local commit makes it look at once instead of at the next tick. One query per poll
 * serves every stream, and only clients with a stream get their events read.
 */
export class EventFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private floor = 0;
  private started = false;
  private readonly seen = new Set<number>();
  private history: { at: number; maxSeq: number }[] = [];
  private polling: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Kysely<SignerDatabase>,
    private readonly nowMs: () => number,
  ) {}

  /**
   * Calls `listener` with each event of `clientId` committed from now on, until the returned
   * function is called.
   */
  async subscribe(clientId: string, listener: Listener): Promise<() => void> {
    if (!this.started) {
      const row = await this.db
        .selectFrom('notification_events')
        .select((eb) => eb.fn.max('seq').as('max'))
        .executeTakeFirst();
      if (!this.started) {
        this.floor = Number(row?.max ?? 0);
        this.started = true;
      }
    }
    const set = this.listeners.get(clientId) ?? new Set<Listener>();
    this.listeners.set(clientId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(clientId) === set) this.listeners.delete(clientId);
    };
  }

  /** The client's events after sequence number `afterSeq`, in order (for `Last-Event-ID`). */
  async replay(clientId: string, afterSeq: number): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let after = afterSeq;
    for (;;) {
      const rows = await this.db
        .selectFrom('notification_events')
        .selectAll()
        .where('client_id', '=', clientId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(REPLAY_PAGE)
        .execute();
      events.push(...rows.map(readEvent));
      if (rows.length < REPLAY_PAGE) return events;
      after = events[events.length - 1]?.seq ?? after;
    }
  }

  /** Looks for new events and hands them to their client's listeners; overlapping calls run once more. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          await this.pollOnce();
        } while (this.again);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (!this.started) return;
    if (this.listeners.size === 0) {
      // Nobody listens: stop, so the next stream starts from the events committed after it opened.
      this.started = false;
      this.seen.clear();
      this.history = [];
      return;
    }
    const rows = await this.db
      .selectFrom('notification_events')
      .select(['seq', 'client_id'])
      .where('seq', '>', this.floor)
      .orderBy('seq')
      .execute();
    const wanted: number[] = [];
    let maxSeq = this.floor;
    for (const row of rows) {
      const seq = Number(row.seq);
      maxSeq = Math.max(maxSeq, seq);
      if (this.seen.has(seq)) continue;
      this.seen.add(seq);
      if (this.listeners.has(row.client_id)) wanted.push(seq);
    }
    if (wanted.length > 0) {
      const events = await this.db
        .selectFrom('notification_events')
        .selectAll()
        .where('seq', 'in', wanted)
        .orderBy('seq')
        .execute();
      for (const event of events.map(readEvent)) {
        for (const listener of this.listeners.get(event.clientId) ?? []) listener(event);
      }
    }
    this.moveFloor(maxSeq);
  }

  private moveFloor(maxSeq: number): void {
    const t = this.nowMs();
    this.history.push({ at: t, maxSeq });
    const settled = this.history.filter((h) => h.at <= t - SETTLE_MS);
    if (settled.length === 0) return;
    this.floor = Math.max(this.floor, ...settled.map((h) => h.maxSeq));
    this.history = this.history.filter((h) => h.at > t - SETTLE_MS);
    for (const seq of this.seen) if (seq <= this.floor) this.seen.delete(seq);
  }
}
