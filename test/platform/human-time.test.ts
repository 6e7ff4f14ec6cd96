import { describe, expect, it } from 'vitest';
import { localDate, localRange, localTime, zoneLabel } from '../../src/platform/human-time.js';

// The crew-facing times are proven through the mails and pages (test/modules/notifications, pages); these pin
// the texts kept per instant (human-time.ts, `written`): each instant keeps its own zone name across a DST change,
// and the bound does not change what is written.
describe('times for people', () => {
  it('names the zone of each instant, on both sides of a daylight-saving change', () => {
    // Europe/Paris moved to summer time at 2027-03-28T01:00:00Z
    const before = '2027-03-28T00:30:00.000Z';
    const after = '2027-03-28T01:30:00.000Z';
    expect(zoneLabel(before, 'Europe/Paris', 'fr')).toBe('UTC+1, Europe/Paris');
    expect(zoneLabel(after, 'Europe/Paris', 'fr')).toBe('UTC+2, Europe/Paris');
    expect(zoneLabel(before, 'Europe/Paris', 'fr')).toBe('UTC+1, Europe/Paris');
    expect(localTime(before, 'Europe/Paris', 'fr')).toBe('01:30');
    expect(localTime(after, 'Europe/Paris', 'fr')).toBe('03:30');
    expect(localTime(after, 'America/New_York', 'en')).toBe('21:30');
    expect(localDate(after, 'Europe/Paris', 'en')).toBe('Sunday, 28 March 2027');
    expect(localDate(after, 'America/New_York', 'en')).toBe('Saturday, 27 March 2027');
    expect(localRange(before, after, 'Europe/Paris', 'fr')).toBe(
      'dimanche 28 mars 2027, 01:30–03:30 (UTC+1, Europe/Paris)',
    );
  });

  it('writes the same text once more instants have been written than it keeps', () => {
    const first = localRange('2027-01-10T13:00:00.000Z', '2027-01-10T16:00:00.000Z', 'Europe/Paris', 'en');
    expect(first).toBe('Sunday, 10 January 2027, 14:00–17:00 (CET, Europe/Paris)');
    for (let minute = 0; minute < 12_000; minute++)
      localTime(new Date(Date.UTC(2027, 5, 1) + minute * 60_000).toISOString(), 'Europe/Paris', 'fr');
    expect(localRange('2027-01-10T13:00:00.000Z', '2027-01-10T16:00:00.000Z', 'Europe/Paris', 'en')).toBe(
      first,
    );
    expect(localTime('2027-06-01T00:00:00.000Z', 'Europe/Paris', 'fr')).toBe('02:00');
  });
});
