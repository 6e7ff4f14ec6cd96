import type { FastifyInstance } from 'fastify';

/**
 * Requests start one per event-loop turn, first come first served (SQLite only).
 *
 * On SQLite a request runs from its first hook to its answer without yielding (better-sqlite3 is synchronous and
 * Kysely's promises settle in microtasks), so one turn of the event loop serves every connection that had a request
 * ready, back to back, and a turn under load lasts 50 requests' worth of work at 50 connections. libuv takes one
 * new connection from the kernel's accept queue per turn (libuv/libuv#3696): a connection opened while the server
 * is saturated waited tens of such turns for its first answer, seconds (BENCHMARKS.md, "Fair latency under load").
 * Starting each request in its own turn (a FIFO drained by `setImmediate`) makes turns one request long, so new
 * connections are taken between requests and every request, old connection or new, waits its place in one line.
 *
 * On PostgreSQL requests already interleave on their round trips (each await is a turn): not installed there.
 */
export function registerFairStart(app: FastifyInstance): void {
  const waiting: Array<() => void> = [];
  let draining = false;
  const next = () => {
    const start = waiting.shift();
    if (start) {
      // The request runs in the microtasks right after this callback; the next one starts in the next turn.
      start();
      setImmediate(next);
    } else {
      draining = false;
    }
  };
  app.addHook('onRequest', (_request, _reply, done) => {
    waiting.push(done as () => void);
    if (!draining) {
      draining = true;
      setImmediate(next);
    }
  });
}
