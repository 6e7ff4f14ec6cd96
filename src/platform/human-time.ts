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

/** "samedi 14 mars 2027" / "Saturday 14 March 2027" */
export function localDate(iso: string, timeZone: string, language: Language): string {
  return formatter(language, timeZone, 'date').format(new Date(iso));
}

/** "14:00" (24-hour clock in both languages: the trade's habit) */
export function localTime(iso: string, timeZone: string, language: Language): string {
  return formatter(language, timeZone, 'time').format(new Date(iso));
}

/** The zone's short name at that instant: "UTC+1", "CET", "GMT+2"… as the runtime names it, plus the IANA name. */
export function zoneLabel(iso: string, timeZone: string, language: Language): string {
  const part = formatter(language, timeZone, 'zone')
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName');
  return part ? `${part.value}, ${timeZone}` : timeZone;
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
