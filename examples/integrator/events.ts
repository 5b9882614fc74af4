import type { TokenProvider } from '@signet/sdk';

/** One event of the Signer's stream (docs/webhooks.md): the JSON of an SSE `data` line. */
export interface SignerEvent {
  id: string;
  type: string;
  occurred_at: number;
  envelope_id: string;
  data: Record<string, unknown>;
}

/** How many events the relay keeps per envelope, and how many envelopes, for late watchers. */
const KEEP_EVENTS = 50;
const KEEP_ENVELOPES = 200;

/**
 * One Server-Sent Events connection from this app to the Signer's `GET /v1/events`, fanned out to
 * the browsers watching an envelope. It reconnects with `Last-Event-ID` (backing off up to 30 s),
 * so no event is missed while it is down, and keeps each envelope's recent events for a browser
 * that starts watching after they happened (an id_token envelope is signed within its create call).
 *
 * @example
 * const relay = new EventRelay(signerUrl, tokens);
 * relay.start();
 * const stop = relay.watch(envelopeId, (event) => send(event));
 */
export class EventRelay {
  private readonly recent = new Map<string, SignerEvent[]>();
  private readonly watchers = new Map<string, Set<(event: SignerEvent) => void>>();
  private lastEventId: string | undefined;
  private abort = new AbortController();
  private running = false;
  /** Resolves once the stream is open (the first time). */
  readonly connected: Promise<void>;
  private markConnected: () => void = () => {};

  constructor(
    private readonly signerUrl: string,
    private readonly tokens: TokenProvider,
  ) {
    this.connected = new Promise((resolve) => {
      this.markConnected = resolve;
    });
  }

  /** Opens the stream and keeps it open until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Closes the stream for good. */
  stop(): void {
    this.running = false;
    this.abort.abort();
  }

  /** Calls `listener` with the envelope's events so far, then with each new one; returns how to stop. */
  watch(envelopeId: string, listener: (event: SignerEvent) => void): () => void {
    for (const event of this.recent.get(envelopeId) ?? []) listener(event);
    let set = this.watchers.get(envelopeId);
    if (!set) {
      set = new Set();
      this.watchers.set(envelopeId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(envelopeId);
    };
  }

  private async loop(): Promise<void> {
    let backoffMs = 500;
    while (this.running) {
      try {
        await this.follow();
        backoffMs = 500;
      } catch (error) {
        if (!this.running) return;
        console.warn(`Signer events: ${error instanceof Error ? error.message : String(error)}; reconnecting`);
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 30_000);
    }
  }

  /** One connection: reads events until the Signer ends the stream. */
  private async follow(): Promise<void> {
    this.abort = new AbortController();
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.tokens.getToken()}`,
      accept: 'text/event-stream',
    };
    if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
    const response = await fetch(`${this.signerUrl}/v1/events`, { headers, signal: this.abort.signal });
    if (response.status !== 200 || !response.body) throw new Error(`GET /v1/events answered ${response.status}`);
    this.markConnected();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        this.onBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  /** One SSE block (`id:`, `event:`, `data:` lines; comments are keep-alives). */
  private onBlock(block: string): void {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (!data) return;
    const event = JSON.parse(data) as SignerEvent;
    this.lastEventId = event.id;
    const kept = this.recent.get(event.envelope_id) ?? [];
    kept.push(event);
    this.recent.delete(event.envelope_id);
    this.recent.set(event.envelope_id, kept.slice(-KEEP_EVENTS));
    if (this.recent.size > KEEP_ENVELOPES) this.recent.delete(this.recent.keys().next().value as string);
    for (const listener of this.watchers.get(event.envelope_id) ?? []) listener(event);
  }
}
