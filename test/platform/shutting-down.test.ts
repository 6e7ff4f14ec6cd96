import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../helpers/app.js';
import { migratedDatabase } from '../helpers/database.js';

/** Two pipelined requests on one connection; the second is read while the server drains. */
function pipelined(port: number, first: string, second: string, betweenMs: number, between: () => void) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
    socket.write(`GET ${first} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    setTimeout(() => {
      between();
      socket.write(`GET ${second} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    }, betweenMs);
  });
}

describe('a request that arrives while the server drains', () => {
  it('answers 503 shutting_down as problem+json with our headers, Retry-After and Connection: close', async () => {
    const db = await migratedDatabase('sqlite');
    const config = testConfig({
      DATABASE_URL: `sqlite:///${db.config.dialect === 'sqlite' ? db.config.filename : ''}`,
    });
    const app = await buildApp(config, { database: db.database });
    // An in-flight request that keeps the drain open while the next one arrives on the same connection.
    app.get('/test-slow', async () => {
      await new Promise((r) => setTimeout(r, 400));
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    let closed: Promise<void> | undefined;
    try {
      const raw = await pipelined(port, '/test-slow', '/healthz', 100, () => {
        closed = app.close();
      });
      const responses = raw.split(/(?=HTTP\/1\.1 )/);
      expect(responses).toHaveLength(2);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
      expect(responses[0]).toContain('{"done":true}');
      const [head, body] = responses[1]!.split('\r\n\r\n') as [string, string];
      expect(head).toMatch(/^HTTP\/1\.1 503/);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(head).toMatch(/retry-after: 1/i);
      expect(head).toMatch(/connection: close/i);
      expect(head).toMatch(/x-request-id: /i);
      expect(head).toMatch(/x-content-type-options: nosniff/i);
      expect(JSON.parse(body)).toMatchObject({ status: 503, code: 'shutting_down' });
    } finally {
      await (closed ?? app.close());
      await db.drop();
    }
  });
});
