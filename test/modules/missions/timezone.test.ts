import { describe, expect, it } from 'vitest';
import { zonedDateTimeToUtc } from '../../../src/platform/timezone.js';

describe('zonedDateTimeToUtc', () => {
  it('uses winter time (UTC+1) and summer time (UTC+2) in Europe/Paris', () => {
    expect(zonedDateTimeToUtc('2026-01-15', '20:00', 'Europe/Paris')).toBe('2026-01-15T19:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-07-15', '20:00', 'Europe/Paris')).toBe('2026-07-15T18:00:00.000Z');
  });

  it('switches offset on the spring-forward day (2026-03-29 in Paris)', () => {
    expect(zonedDateTimeToUtc('2026-03-29', '01:30', 'Europe/Paris')).toBe('2026-03-29T00:30:00.000Z');
    expect(zonedDateTimeToUtc('2026-03-29', '03:00', 'Europe/Paris')).toBe('2026-03-29T01:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-03-29', '20:00', 'Europe/Paris')).toBe('2026-03-29T18:00:00.000Z');
  });

  it('moves a skipped local time forward by the gap', () => {
    // 02:30 does not exist on 2026-03-29 in Paris: it is read as 03:30 CEST
    expect(zonedDateTimeToUtc('2026-03-29', '02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first occurrence of a repeated local time on the fall-back day (2026-10-25)', () => {
    expect(zonedDateTimeToUtc('2026-10-25', '02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedDateTimeToUtc('2026-10-25', '03:30', 'Europe/Paris')).toBe('2026-10-25T02:30:00.000Z');
    expect(zonedDateTimeToUtc('2026-10-24', '20:00', 'Europe/Paris')).toBe('2026-10-24T18:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-10-25', '20:00', 'Europe/Paris')).toBe('2026-10-25T19:00:00.000Z');
  });

  it('works in other zones, including the southern hemisphere and UTC', () => {
    expect(zonedDateTimeToUtc('2026-03-08', '03:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-01-10', '09:00', 'Australia/Sydney')).toBe('2026-01-09T22:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-06-10', '09:00', 'Australia/Sydney')).toBe('2026-06-09T23:00:00.000Z');
    expect(zonedDateTimeToUtc('2026-06-10', '00:00', 'UTC')).toBe('2026-06-10T00:00:00.000Z');
  });
});
