import type { FastifyInstance } from 'fastify';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SseEvent {
  id: string | null;
  event: string;
  data: unknown;
}

/** A Server-Sent-Events client over real HTTP: parses events as they arrive; `next` waits for one, bounded. */
export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** The last id the server told (from any event, including id-only ones), as EventSource keeps it. */
  lastEventId: string | null;
  ended: Promise<void>;
  waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export async function listening(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export function openSse(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const waiters = new Set<() => void>();
      let buffer = '';
      let endResolve: () => void;
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        lastEventId: null,
        ended: new Promise((r) => (endResolve = r)),
        waitFor(predicate, timeoutMs = 3000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (!predicate(client.events)) return;
              clearTimeout(timer);
              waiters.delete(check);
              ok(client.events);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(
                new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(client.events)}`),
              );
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | null = null;
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'id') id = value;
            else if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
          if (id !== null) client.lastEventId = id;
          if (data.length === 0) continue;
          const text = data.join('\n');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          client.events.push({ id, event, data: parsed });
        }
        for (const waiter of [...waiters]) waiter();
      });
      res.on('close', () => endResolve());
      res.on('error', () => endResolve());
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}
