import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/database.js';
import { useTestApp } from '../helpers/app.js';

describe.each(DIALECTS)('requests under concurrency on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  it('answers every one of 60 concurrent requests, first come first served on SQLite', async () => {
    const finished: number[] = [];
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        ctx.app.inject({ method: 'GET', url: i % 2 ? '/healthz' : '/nowhere' }).then((res) => {
          finished.push(i);
          return res;
        }),
      ),
    );
    answers.forEach((res, i) => {
      if (i % 2) {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ status: 'ok', database: 'ok' });
      } else {
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });
    // On SQLite each request starts in its own event-loop turn, in arrival order, and runs to its answer.
    if (dialect === 'sqlite') expect(finished).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});
