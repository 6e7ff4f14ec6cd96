import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { isKnownCountry } from './holidays.js';
import { clockToMinute, minuteToClock, seesAmounts } from './pay-access.js';
import { loadPaySettings, savePaySettings, type PaySettings } from './pay-settings.repository.js';

export interface PaySettingsPatch {
  country?: string;
  currency?: string;
  night_start?: string;
  night_end?: string;
  dpae_delay_hours?: number;
  managers_see_amounts?: boolean;
}

export function toPaySettingsView(settings: PaySettings, scope: OrgScope) {
  return {
    timezone: settings.timezone,
    country: settings.country,
    currency: settings.currency,
    night_start: minuteToClock(settings.night_start_minute),
    night_end: minuteToClock(settings.night_end_minute),
    dpae_delay_hours: settings.dpae_delay_hours,
    managers_see_amounts: settings.managers_see_amounts,
    amounts_visible: seesAmounts(scope, settings),
  };
}

export async function getPaySettings(db: Db, scope: OrgScope) {
  return toPaySettingsView(await loadPaySettings(db, scope.orgId), scope);
}

/** Changes the org's pay settings (admins); the change and its audit row commit together. */
export async function updatePaySettings(db: Db, scope: OrgScope, patch: PaySettingsPatch) {
  if (patch.country !== undefined && !isKnownCountry(patch.country)) {
    throw new AppError('validation_failed', `No public-holiday data for country ${patch.country}`, {
      errors: [{ location: 'body', path: '/country', message: 'unknown country' }],
    });
  }
  return db.transaction().execute(async (tx) => {
    const before = await loadPaySettings(tx, scope.orgId);
    const after: PaySettings = {
      ...before,
      ...(patch.country !== undefined ? { country: patch.country } : {}),
      ...(patch.currency !== undefined ? { currency: patch.currency } : {}),
      ...(patch.night_start !== undefined ? { night_start_minute: clockToMinute(patch.night_start) } : {}),
      ...(patch.night_end !== undefined ? { night_end_minute: clockToMinute(patch.night_end) } : {}),
      ...(patch.dpae_delay_hours !== undefined ? { dpae_delay_hours: patch.dpae_delay_hours } : {}),
      ...(patch.managers_see_amounts !== undefined
        ? { managers_see_amounts: patch.managers_see_amounts }
        : {}),
    };
    await savePaySettings(tx, scope.orgId, after, isoNow());
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'pay_settings.update',
      entityType: 'pay_settings',
      entityId: scope.orgId,
      before,
      after,
    });
    return toPaySettingsView(after, scope);
  });
}
