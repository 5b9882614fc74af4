import { connect, createServer, type Server, type Socket } from 'node:net';

/** A cuttable TCP proxy (see {@link databaseProxy}). */
export interface DatabaseProxy {
  /** The local port it listens on (127.0.0.1). */
  port: number;
  /** Drops every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Listens again on the same port (nothing when it listens). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of PostgreSQL that a test can cut (every connection dropped, new ones
 * refused, as when the server or the network goes away) and restore on the same port.
 */
export async function databaseProxy(target: URL): Promise<DatabaseProxy> {
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const [s, other] of [
          [client, upstream],
          [upstream, client],
        ] as const) {
          sockets.add(s);
          // A side that goes away (a killed node's reset included) takes the other with it, as a
          // direct connection would: the server then ends that session and releases its locks.
          s.on('close', () => {
            sockets.delete(s);
            other.destroy();
          });
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  return {
    port,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async restore() {
      if (server.listening) return;
      await listen(port);
    },
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
