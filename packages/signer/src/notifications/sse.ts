import type { ServerResponse } from 'node:http';
import { invalidRequest } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import '../auth/caller.js';
import { type EventFeed, SETTLE_MS } from './event-feed-repository.js';
import { eventPayload, type StoredEvent } from './payload.js';
import { routeSchemas } from './schemas.js';

/** A comment line every this often keeps proxies and load balancers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/** A stream whose client reads slower than events arrive is dropped past this much unsent data. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The open SSE streams of one node, so closing the service can end them. */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  add(response: ServerResponse): void {
    this.open.add(response);
    response.on('close', () => this.open.delete(response));
  }

  /** Ends every open stream (the client's EventSource reconnects elsewhere with `Last-Event-ID`). */
  endAll(): void {
    for (const response of this.open) response.end();
    this.open.clear();
  }
}

/** Parses `Last-Event-ID`: the sequence number of the last event the client saw. */
function lastEventId(value: string | string[] | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw invalidRequest('Last-Event-ID must be the id of an event received earlier');
  return Number(value);
}

const frame = (event: StoredEvent): string =>
  `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(eventPayload(event))}\n\n`;

/**
 * `GET /v1/events`: the calling client's envelope events as Server-Sent Events, live. Each
 * message has `id:` (the event's sequence number), `event:` (its type) and `data:` (the same
 * JSON as a webhook body). With `Last-Event-ID` the missed events are sent first; without it
 * the stream starts with events committed after it opened.
 */
export function eventsRoute(
  app: FastifyInstance,
  feed: EventFeed,
  streams: EventStreams,
  heartbeatMs = HEARTBEAT_MS,
): void {
  app.get('/v1/events', { schema: routeSchemas.events }, async (request, reply) => {
    const { clientId } = request.caller;
    const after = lastEventId(request.headers['last-event-id']);
    const response = reply.raw;
    let replaying = after !== undefined;
    const held: StoredEvent[] = [];
    // Events sent by the replay; the live feed may bring them again if it had not polled them yet.
    const replayed = new Set<number>();
    const write = (event: StoredEvent) => {
      if (response.writableEnded) return;
      response.write(frame(event));
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
    };
    // Subscribe before replaying, holding live events meanwhile, so none falls between the two.
    const live = (event: StoredEvent) => {
      if (replaying) held.push(event);
      else if (!replayed.has(event.seq) && event.seq > (after ?? 0)) write(event);
    };
    const unsubscribe = await feed.subscribe(clientId, live);
    reply.hijack();
    // Headers set by hooks (security headers) are not written for a hijacked reply: copy them.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) response.setHeader(name, value);
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // The connection ends with the stream, so a closing server is not kept waiting for it to idle.
      connection: 'close',
      // nginx and similar proxies would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write('retry: 3000\n\n');
    streams.add(response);
    const heartbeat = setInterval(() => response.writableEnded || response.write(': heartbeat\n\n'), heartbeatMs);
    const socket = response.socket;
    response.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      // A stream's connection is never reused (Connection: close): drop it with the stream, so a
      // half-closed socket does not hold up the server's shutdown.
      socket?.destroy();
    });
    if (after !== undefined) {
      try {
        const missed = await feed.replay(clientId, after);
        for (const event of missed) {
          replayed.add(event.seq);
          write(event);
        }
        replaying = false;
        for (const event of held.splice(0)) live(event);
        // The feed brings every event within its settle window; after that nothing can repeat.
        setTimeout(() => replayed.clear(), SETTLE_MS + 10_000).unref();
      } catch (error) {
        request.log.error({ err: error }, 'SSE replay failed');
        response.destroy();
      } finally {
        replaying = false;
        held.length = 0;
      }
    }
  });
}
