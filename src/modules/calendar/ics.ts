import { createHash } from 'node:crypto';
import type * as IcalGenerator from 'ical-generator';
import type { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { AssignmentStatus } from '../../platform/db/tables.js';

/** One calendar event: an assignment (crew feeds, one-mission files) or a mission (project feeds). */
export interface CalendarEntry {
  /** stable across feeds and regenerations: the assignment's or mission's id */
  uid: string;
  startsAt: string;
  endsAt: string;
  summary: string;
  description: string;
  location: string | null;
  status: 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED';
  /** the last change of the entry: DTSTAMP, LAST-MODIFIED and the SEQUENCE derived from it */
  updatedAt: string;
}

/** Where an entry's status comes from: INVITED is tentative, ACCEPTED confirmed, an ended one cancelled. */
export function statusOfAssignment(status: AssignmentStatus): CalendarEntry['status'] {
  if (status === 'INVITED') return 'TENTATIVE';
  if (status === 'ACCEPTED') return 'CONFIRMED';
  return 'CANCELLED';
}

const UID_DOMAIN = 'coulisses-crew';
// ical-generator is loaded with the first calendar, not at server start (its enums are these very strings).
let library: Promise<typeof IcalGenerator> | undefined;
const loadLibrary = () => (library ??= import('ical-generator'));
const PUBLISH = 'PUBLISH' as ICalCalendarMethod;
// SEQUENCE must grow with each change; seconds since this epoch stay far inside the 32-bit integer calendars use.
const SEQUENCE_EPOCH = Date.parse('2026-01-01T00:00:00Z');

/**
 * Each entry's VEVENT as written, folded, by what it is made of: a feed that changed since the last poll has
 * most of its entries unchanged, and building them again with ical-generator was most of the answer's cost
 * (500 events ≈ 9 ms). Bounded: those rendered longest ago leave first; an entry that changes replaces its text.
 */
const renderedEvents = new Map<string, { made: string; text: string }>();
export const MAX_RENDERED_EVENTS = 5_000;

/**
 * An entry's every field (the VEVENT is written from nothing else, see `eventData`): two entries with the same
 * key render to the same bytes, and a field added to `CalendarEntry` is part of the key without a second list.
 */
const madeOf = (entry: CalendarEntry) => JSON.stringify(entry);

/** How many entries' texts are kept (tests). */
export const renderedEventCount = () => renderedEvents.size;

function remember(uid: string, made: string, text: string): void {
  renderedEvents.delete(uid);
  renderedEvents.set(uid, { made, text });
  if (renderedEvents.size > MAX_RENDERED_EVENTS) renderedEvents.delete(renderedEvents.keys().next().value!);
}

/** What ical-generator writes an entry's VEVENT from. */
export function eventData(entry: CalendarEntry): IcalGenerator.ICalEventData {
  const updated = new Date(entry.updatedAt);
  return {
    id: `${entry.uid}@${UID_DOMAIN}`,
    start: new Date(entry.startsAt),
    end: new Date(entry.endsAt),
    summary: entry.summary,
    description: entry.description,
    location: entry.location,
    status: entry.status as ICalEventStatus,
    stamp: updated,
    lastModified: updated,
    sequence: Math.max(0, Math.floor((updated.getTime() - SEQUENCE_EPOCH) / 1000)),
  };
}

export const newCalendar = (ical: typeof IcalGenerator.default, name: string) =>
  ical({
    name,
    prodId: { company: 'Coulisses Crew', product: 'crew', language: 'EN' },
    method: PUBLISH,
    ttl: 60 * 15,
  });

/**
 * An iCalendar document. Times are written in UTC (`…Z`): every calendar shows them in its own zone, and a
 * daylight-saving change between now and the mission cannot shift them.
 */
export async function renderIcs(name: string, entries: readonly CalendarEntry[]): Promise<string> {
  const { default: ical } = await loadLibrary();
  let calendar: ReturnType<typeof ical> | undefined;
  const events = entries.map((entry) => {
    const made = madeOf(entry);
    const kept = renderedEvents.get(entry.uid);
    if (kept?.made === made) return kept.text;
    calendar ??= newCalendar(ical, name);
    const event = calendar.createEvent(eventData(entry));
    // The library writes every line; only its final line folding is replaced: it encodes each character with a
    // new TextEncoder (≈0.5 s for 500 events here). foldLines below gives the same bytes (a test compares them).
    const text = foldLines(event.toString());
    remember(entry.uid, made, text);
    return text;
  });
  // An event's text ends with its line break, and folding is line by line: the pieces join to the same bytes as
  // the whole document folded at once.
  const empty = newCalendar(ical, name).toString();
  const footer = 'END:VCALENDAR';
  return foldLines(empty.slice(0, empty.length - footer.length)) + events.join('') + footer;
}

/** RFC 5545 §3.1 folding at 75 octets, exactly as ical-generator folds (UTF-8 lengths, surrogate pairs kept). */
export function foldLines(document: string): string {
  return document
    .split('\r\n')
    .map((line) => {
      if (Buffer.byteLength(line) <= 74) return line;
      let folded = '';
      let octets = 0;
      for (let i = 0; i < line.length; i++) {
        let char = line.charAt(i);
        const code = line.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff) char += line.charAt(++i);
        const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdbff ? 4 : 3;
        octets += size;
        if (octets > 74) {
          folded += '\r\n ';
          octets = size;
        }
        folded += char;
      }
      return folded;
    })
    .join('\r\n');
}

/** A strong validator of what a document is made of: calendar apps poll, and most polls change nothing. */
export function etagOf(content: string): string {
  return `"${createHash('sha256').update(content).digest('base64url').slice(0, 32)}"`;
}

/** Whether an `If-None-Match` header already holds this ETag (a list, `*`, or weak forms of it). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
