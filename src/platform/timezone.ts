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
