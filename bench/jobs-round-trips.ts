/**
 * `--count-round-trips`: the workers reach Postgres through this proxy on 127.0.0.1 (no delay),
 * which counts round trips exactly (round-trip-counter.ts: each simple query, each Sync) per
 * `application_name` read from the connection's startup message: tidemark-jobs (pg-boss),
 * tidemark-control (the ledger), tidemark-destination. Divided by the runs, that is what one
 * scheduled run costs the database. The proxy's own CPU is spent in the benchmark's process.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { RoundTripCounter } from './round-trip-counter.ts';

export interface CountingProxy {
  /** `target` with the proxy as host and port. */
  readonly url: string;
  /** Round trips and connections per application_name since the start or the last reset(). */
  counts(): Record<string, { roundTrips: number; connections: number }>;
  reset(): void;
  close(): Promise<void>;
}

/** application_name from a startup message (int32 length, int32 protocol, then key\0value\0 pairs). */
function applicationName(startup: Buffer): string {
  const pairs = startup.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === 'application_name') return pairs[i + 1] || '(none)';
  return '(none)';
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const url = new URL(target);
  let counts: Record<string, { roundTrips: number; connections: number }> = {};
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: url.hostname, port: Number(url.port || 5432) });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const counter = new RoundTripCounter();
    let startup: Buffer = Buffer.alloc(0);
    let app: string | null = null;
    client.on('data', (chunk: Buffer) => {
      if (app === null) {
        // The startup message (pg sends no SSLRequest to a server without SSL in its URL).
        startup = Buffer.concat([startup, chunk]);
        if (startup.length >= 4 && startup.length >= startup.readInt32BE(0)) {
          app = applicationName(startup.subarray(0, startup.readInt32BE(0)));
          (counts[app] ??= { roundTrips: 0, connections: 0 }).connections++;
        }
      }
      const trips = counter.feed(chunk);
      if (app !== null && trips > 0) (counts[app] ??= { roundTrips: 0, connections: 0 }).roundTrips += trips;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const proxied = new URL(target);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    counts: () => structuredClone(counts),
    reset: () => {
      counts = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
