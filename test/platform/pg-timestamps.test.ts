import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pgTimestampToIso } from '../../src/platform/db/database.js';
import { useTestApp } from '../helpers/app.js';
import { DIALECTS } from '../helpers/database.js';

/** What the pre-fast-path parser did (through a Date): the reference the fast path must match. */
function throughDate(text: string): string {
  const normalised = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(
    normalised.endsWith('Z') || /[+-]\d\d:\d\d$/.test(normalised) ? normalised : `${normalised}Z`,
  ).toISOString();
}

const INSTANTS = [
  '2026-01-02T10:00:00.000Z',
  '2026-01-02T10:00:00.100Z',
  '2026-01-02T10:00:00.120Z',
  '2026-01-02T10:00:00.123Z',
  '1900-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2031-03-30T01:00:00.001Z',
];

describe('pgTimestampToIso', () => {
  it('reads every form PostgreSQL prints as a Date would, sub-milliseconds cut', () => {
    for (const text of [
      '2026-01-02 10:00:00+00',
      '2026-01-02 10:00:00.1+00',
      '2026-01-02 10:00:00.12+00',
      '2026-01-02 10:00:00.123+00',
      '2026-01-02 10:00:00.123456+00',
      '2026-01-02 10:00:00.999999+00',
      '2026-01-02 12:00:00.5+02',
      '2026-01-02 15:30:00+05:30',
      '2026-01-02 10:00:00.25',
    ])
      expect(pgTimestampToIso(text), text).toBe(throughDate(text));
    for (let i = 0; i < 2000; i++) {
      const instant = new Date(Date.UTC(1900, 0, 1) + Math.floor(Math.random() * 8.1e13));
      const iso = instant.toISOString();
      const printed = `${iso.slice(0, 10)} ${iso.slice(11, 23).replace(/\.?0+$/, '')}+00`;
      expect(pgTimestampToIso(printed), printed).toBe(iso);
    }
  });
});

describe.each(DIALECTS.filter((d) => d === 'postgres'))('timestamptz read back on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  it('gives back the stored ISO instant, whatever PostgreSQL prints', async () => {
    for (const iso of INSTANTS) {
      const { rows } = await sql<{ at: string; printed: string }>`
        select ${iso}::timestamptz as at, ${iso}::timestamptz::text as printed`.execute(ctx.app.database.db);
      expect(rows[0]!.at, rows[0]!.printed).toBe(iso);
      expect(pgTimestampToIso(rows[0]!.printed)).toBe(iso);
    }
  });
});
