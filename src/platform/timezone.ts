/** IANA time zone names the runtime knows (Europe/Paris, America/Montreal, UTC, …). */
export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const DEFAULT_TIMEZONE = 'Europe/Paris';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC (ms, east positive) at an instant. */
export function timeZoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
  return local - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The UTC instant of a wall-clock `date` ("YYYY-MM-DD") and `time` ("HH:MM") in an IANA zone, as ISO-8601 with
 * `Z`. Like Temporal's `compatible` disambiguation: a time skipped by a DST change (02:30 on the spring-forward
 * day in Paris) moves forward by the gap (03:30 CEST); a time that happens twice (02:30 on the fall-back day)
 * is the first occurrence (CEST).
 */
export function zonedDateTimeToUtc(date: string, time: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi);
  const DAY_MS = 86_400_000;
  const before = timeZoneOffsetMs(local - DAY_MS, timeZone);
  const after = timeZoneOffsetMs(local + DAY_MS, timeZone);
  const candidates = [local - before, local - after].filter(
    (utc) => utc + timeZoneOffsetMs(utc, timeZone) === local,
  );
  const utc = candidates.length > 0 ? Math.min(...candidates) : local - before;
  return new Date(utc).toISOString();
}

/**
 * The calendar month of an instant as lived in an IANA zone: its bounds [from, to) as UTC ISO instants (the
 * zone's local midnights of the 1st, so a Paris month starts at 23:00 or 22:00 UTC the day before) and its label
 * `YYYY-MM`.
 */
export function zonedMonthOf(iso: string, timeZone: string): { from: string; to: string; label: string } {
  const ms = Date.parse(iso);
  const local = new Date(ms + timeZoneOffsetMs(ms, timeZone));
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const firstDay = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  const label = firstDay(year, month).slice(0, 7);
  return {
    from: zonedDateTimeToUtc(firstDay(year, month), '00:00', timeZone),
    to: zonedDateTimeToUtc(firstDay(year, month + 1), '00:00', timeZone),
    label,
  };
}
