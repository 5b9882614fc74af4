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
 * as the answer is written. A client still sending its body gets a reset, and a reset discards
 * the answer waiting in the client's receive buffer: it sees ECONNRESET or EPIPE, not the 413.
 * Here the answer goes out without that header, is followed by a half-close (FIN: no more requests
 * on this connection), and what the client still sends is read and dropped — at most
 * {@link LINGER_BYTES}, for at most {@link LINGER_MS} — before the socket is closed. Nothing is held.
 *
 * @example
 * app.setErrorHandler((error, request, reply) => {
 *   lingerAfterAnswer(request, reply);
 *   reply.code(413).send({ error: 'invalid_request' });
 * });
 */
export function lingerAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const incoming = request.raw;
  if (incoming.complete || reply.getHeader('connection') !== 'close') return;
  reply.removeHeader('connection');
  reply.raw.once('finish', () => {
    const socket = incoming.socket;
    let read = 0;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    incoming.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > LINGER_BYTES) socket.destroy();
    });
    incoming.resume();
    socket.end();
  });
}
