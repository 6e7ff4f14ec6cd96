/**
 * Times for people: an instant shown in an org's time zone and language, with the zone's name, never raw UTC.
 * The wire stays ISO-8601 UTC; only crew-facing texts (mails, pages, calendars) use these.
 */
export type Language = 'fr' | 'en';

export const LANGUAGES: readonly Language[] = ['fr', 'en'];

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/** The shapes crew-facing texts use, by name: a formatter is made once per language, zone and shape. */
const SHAPES = {
  date: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  zone: { timeZoneName: 'short' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(language: Language, timeZone: string, shape: keyof typeof SHAPES): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}|${shape}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(LOCALES[language], { timeZone, ...SHAPES[shape] });
    cache.set(key, found);
  }
  return found;
}

/**
 * Texts already written, by shape, language, zone and instant: a mission's times appear in the mail of each of its
 * crew, and a mail shows its start three times (subject, date, call time). Emptied when full.
 */
const written = new Map<string, string>();
const MAX_WRITTEN = 10_000;

function write(
  shape: keyof typeof SHAPES,
  iso: string,
  timeZone: string,
  language: Language,
  text: (format: Intl.DateTimeFormat, at: Date) => string,
): string {
  const key = `${shape}|${language}|${timeZone}|${iso}`;
  let found = written.get(key);
  if (found === undefined) {
    if (written.size >= MAX_WRITTEN) written.clear();
    found = text(formatter(language, timeZone, shape), new Date(iso));
    written.set(key, found);
  }
  return found;
}

/** "samedi 14 mars 2027" / "Saturday 14 March 2027" */
export function localDate(iso: string, timeZone: string, language: Language): string {
  return write('date', iso, timeZone, language, (format, at) => format.format(at));
}

/** "14:00" (24-hour clock in both languages: the trade's habit) */
export function localTime(iso: string, timeZone: string, language: Language): string {
  return write('time', iso, timeZone, language, (format, at) => format.format(at));
}

/** The zone's short name at that instant: "UTC+1", "CET", "GMT+2"… as the runtime names it, plus the IANA name. */
export function zoneLabel(iso: string, timeZone: string, language: Language): string {
  return write('zone', iso, timeZone, language, (format, at) => {
    const part = format.formatToParts(at).find((p) => p.type === 'timeZoneName');
    return part ? `${part.value}, ${timeZone}` : timeZone;
  });
}

/** "samedi 14 mars 2027, 14:00–17:00 (UTC+1, Europe/Paris)"; an end on another local day carries its date. */
export function localRange(startIso: string, endIso: string, timeZone: string, language: Language): string {
  const startDay = localDate(startIso, timeZone, language);
  const endDay = localDate(endIso, timeZone, language);
  const end =
    endDay === startDay
      ? localTime(endIso, timeZone, language)
      : `${endDay}, ${localTime(endIso, timeZone, language)}`;
  return `${startDay}, ${localTime(startIso, timeZone, language)}–${end} (${zoneLabel(startIso, timeZone, language)})`;
}

/** The default language of an org from its time zone: French for France and its overseas zones, else English. */
export function defaultLanguage(timeZone: string): Language {
  return /^Europe\/(Paris|Monaco|Brussels|Luxembourg)$|^Indian\/Reunion$|^America\/(Martinique|Guadeloupe|Cayenne)$|^Pacific\/(Noumea|Tahiti)$/.test(
    timeZone,
  )
    ? 'fr'
    : 'en';
}
