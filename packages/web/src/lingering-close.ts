import { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The longest a refused body's rest is read after the answer (nginx's `lingering_time` is 30 s). */
export const LINGER_MS = 5_000;

/** The most of a refused body's rest read after the answer before the connection is reset. */
export const LINGER_BYTES = 32 * 1024 * 1024;

/**
 * Lets the client read an answer given before its request body was read — a body over its limit —
 * before the connection closes: nginx's lingering close.
 *
 * Fastify answers such a request with `Connection: close`, and Node then closes the socket as soon
 * as the answer is written (`destroySoon`). A client still sending gets a reset, and a reset
 * discards the answer waiting in its receive buffer: it sees ECONNRESET or EPIPE, not the 413.
 * Here that socket's close becomes a half-close (FIN after the answer; `Connection: close` stays,
 * so no client reuses the connection) followed by reading and dropping what the client still
 * sends — at most {@link LINGER_BYTES}, for at most {@link LINGER_MS} — before the socket is
 * destroyed. Nothing is held. Requests under `inject()` have no socket and are left alone.
 *
 * @example
 * app.setErrorHandler((error, request, reply) => {
 *   lingerAfterAnswer(request, reply);
 *   reply.code(413).send({ error: 'invalid_request' });
 * });
 */
export function lingerAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const incoming = request.raw;
  const socket = incoming.socket;
  if (incoming.complete || reply.getHeader('connection') !== 'close' || !(socket instanceof Socket)) return;
  // Node's HTTP server closes a `Connection: close` socket through destroySoon once the answer is
  // written; on this one socket it lingers instead.
  (socket as Socket & { destroySoon(): void }).destroySoon = () => {
    let read = 0;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    incoming.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > LINGER_BYTES) socket.destroy();
    });
    incoming.resume();
    socket.end();
  };
}
