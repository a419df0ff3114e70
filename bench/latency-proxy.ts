/**
 * A TCP proxy on 127.0.0.1 in front of Postgres (or MySQL/MariaDB) that adds a round-trip time (RTT/2 each way) and
 * counts database round trips exactly (round-trip-counter.ts, mysql-round-trip-counter.ts). It stands for a database in another
 * zone or region: what a per-record query pattern costs there is RTT × queries.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { delayedPipe } from './delayed-pipe.ts';
import { MysqlRoundTripCounter } from './mysql-round-trip-counter.ts';
import { RoundTripCounter, type ProtocolCounter } from './round-trip-counter.ts';

export interface LatencyProxyOptions {
  /** Postgres to forward to, e.g. `postgres://postgres@127.0.0.1:5432/test` (host, port and user are used). */
  readonly target: string;
  /** Round-trip time added, in milliseconds. */
  readonly rttMs: number;
  /** The wire protocol whose round trips are counted (default postgres). */
  readonly protocol?: 'postgres' | 'mysql';
}

export interface LatencyProxy {
  readonly port: number;
  readonly rttMs: number;
  /** The target's URL with the proxy as host, for `database`. */
  url(database?: string): string;
  /** Round trips since the start or the last `reset()`. */
  readonly roundTrips: number;
  /** Client connections accepted since the start or the last `reset()`. */
  readonly connections: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const mysql = options.protocol === 'mysql';
  const targetPort = Number(target.port || (mysql ? 3306 : 5432));
  const targetHost = target.hostname;
  const oneWay = options.rttMs / 2;
  const sockets = new Set<Socket>();
  let roundTrips = 0;
  let connections = 0;

  const server = createServer((client) => {
    connections++;
    const upstream = connect({ host: targetHost, port: targetPort });
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
    const counter: ProtocolCounter = mysql ? new MysqlRoundTripCounter() : new RoundTripCounter();
    delayedPipe(client, upstream, oneWay, (chunk) => {
      roundTrips += counter.feed(chunk);
    });
    delayedPipe(upstream, client, oneWay, () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    rttMs: options.rttMs,
    url(database) {
      const url = new URL(options.target);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      if (database !== undefined) url.pathname = `/${database}`;
      return url.toString();
    },
    get roundTrips() {
      return roundTrips;
    },
    get connections() {
      return connections;
    },
    reset() {
      roundTrips = 0;
      connections = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
