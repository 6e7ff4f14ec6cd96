import type { OrgId } from '../../platform/auth/org-scope.js';
import { asBool, type Executor } from '../../platform/db/database.js';
import { DEFAULT_TIMEZONE } from '../../platform/timezone.js';
import { holidayCalendar } from './holidays.js';
import type { WorkContext } from './work-time.js';

/** An org's pay settings, with the defaults for an org that never changed them. */
export interface PaySettings {
  timezone: string;
  country: string;
  currency: string;
  night_start_minute: number;
  night_end_minute: number;
  dpae_delay_hours: number;
  managers_see_amounts: boolean;
}

export const PAY_DEFAULTS = {
  country: 'FR',
  currency: 'EUR',
  night_start_minute: 22 * 60,
  night_end_minute: 6 * 60,
  dpae_delay_hours: 48,
  managers_see_amounts: false,
} as const;

export async function loadPaySettings(db: Executor, orgId: OrgId): Promise<PaySettings> {
  const row = await db
    .selectFrom('orgs as o')
    .leftJoin('pay_settings as s', 's.org_id', 'o.id')
    .select([
      'o.timezone',
      's.country',
      's.currency',
      's.night_start_minute',
      's.night_end_minute',
      's.dpae_delay_hours',
      's.managers_see_amounts',
    ])
    .where('o.id', '=', orgId)
    .executeTakeFirst();
  return {
    timezone: row?.timezone ?? DEFAULT_TIMEZONE,
    country: row?.country ?? PAY_DEFAULTS.country,
    currency: row?.currency ?? PAY_DEFAULTS.currency,
    night_start_minute: row?.night_start_minute ?? PAY_DEFAULTS.night_start_minute,
    night_end_minute: row?.night_end_minute ?? PAY_DEFAULTS.night_end_minute,
    dpae_delay_hours: row?.dpae_delay_hours ?? PAY_DEFAULTS.dpae_delay_hours,
    managers_see_amounts:
      row?.managers_see_amounts === null || row?.managers_see_amounts === undefined
        ? PAY_DEFAULTS.managers_see_amounts
        : asBool(row.managers_see_amounts),
  };
}

export async function savePaySettings(db: Executor, orgId: OrgId, settings: PaySettings, now: string) {
  const values = {
    country: settings.country,
    currency: settings.currency,
    night_start_minute: settings.night_start_minute,
    night_end_minute: settings.night_end_minute,
    dpae_delay_hours: settings.dpae_delay_hours,
    managers_see_amounts: settings.managers_see_amounts,
    updated_at: now,
  };
  await db
    .insertInto('pay_settings')
    .values({ org_id: orgId, ...values })
    .onConflict((oc) => oc.column('org_id').doUpdateSet(values))
    .execute();
}

/** What the pure time arithmetic needs from the settings. */
export function workContextOf(settings: PaySettings): WorkContext {
  return {
    timeZone: settings.timezone,
    night: { startMinute: settings.night_start_minute, endMinute: settings.night_end_minute },
    isHoliday: holidayCalendar(settings.country),
  };
}
