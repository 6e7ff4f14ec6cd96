import ical from 'ical-generator';
import { describe, expect, it } from 'vitest';
import {
  eventData,
  MAX_RENDERED_EVENTS,
  newCalendar,
  renderedEventCount,
  renderIcs,
  type CalendarEntry,
} from '../../../src/modules/calendar/ics.js';

/** The same document written and folded by ical-generator alone, the reference for our bytes. */
function libraryDocument(name: string, entries: CalendarEntry[]): string {
  const calendar = newCalendar(ical, name);
  for (const entry of entries) calendar.createEvent(eventData(entry));
  return calendar.toString();
}

let next = 0;
const entry = (overrides: Partial<CalendarEntry> = {}): CalendarEntry => ({
  uid: `00000000-0000-4000-8000-${String(next++).padStart(12, '0')}`,
  startsAt: '2031-03-29T08:00:00.000Z',
  endsAt: '2031-03-29T12:00:00.000Z',
  summary: 'Régie son — Festival 🎚️',
  description: `Role: Rigger\\nNotes: ${'bring gloves, harness and a torch · '.repeat(6)}`,
  location: 'Lyon, Halle Tony Garnier',
  status: 'CONFIRMED',
  updatedAt: '2026-12-03T10:00:00.000Z',
  ...overrides,
});

describe('an ICS document rendered from kept events', () => {
  it('is byte for byte ical-generator’s own document, cold and warm, and shows an entry’s change at once', async () => {
    const entries = [entry(), entry({ status: 'TENTATIVE', location: null }), entry({ status: 'CANCELLED' })];
    const cold = await renderIcs('Coulisses Crew', entries);
    expect(cold).toBe(libraryDocument('Coulisses Crew', entries));
    // the second time from the kept texts, under another calendar name
    expect(await renderIcs('My work', entries)).toBe(libraryDocument('My work', entries));

    const moved = entries.map((e, i) =>
      i === 1
        ? {
            ...e,
            startsAt: '2031-03-30T08:00:00.000Z',
            endsAt: '2031-03-30T12:00:00.000Z',
            updatedAt: '2026-12-03T11:00:00.000Z',
          }
        : e,
    );
    const after = await renderIcs('Coulisses Crew', moved);
    expect(after).toBe(libraryDocument('Coulisses Crew', moved));
    const event = after.slice(after.indexOf(`UID:${moved[1]!.uid}`));
    expect(event.slice(0, event.indexOf('END:VEVENT'))).toContain(
      'DTSTART:20310330T080000Z\r\nDTEND:20310330T120000Z',
    );
  });

  it('keeps a bounded number of events', async () => {
    const many = Array.from({ length: MAX_RENDERED_EVENTS + 50 }, () => entry());
    const document = await renderIcs('Many', many);
    expect(document.match(/BEGIN:VEVENT/g)).toHaveLength(many.length);
    expect(renderedEventCount()).toBe(MAX_RENDERED_EVENTS);
  });
});
