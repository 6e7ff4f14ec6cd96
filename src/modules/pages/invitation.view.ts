import { localDate, localRange, localTime, zoneLabel, type Language } from '../../platform/human-time.js';
import type { LiveInvitation } from './pages.service.js';

/** Everything the invitation page prints, already in the org's time zone and the page's language. */
export function invitationView({ row, expiresAt }: LiveInvitation, lang: Language) {
  const managerName = [row.manager_first_name, row.manager_last_name].filter(Boolean).join(' ');
  const managerEmail = row.manager_email ?? row.manager_login;
  return {
    orgName: row.org_name,
    title: row.title,
    when: localRange(row.starts_at, row.ends_at, row.timezone, lang),
    role: row.role_name,
    location: row.location,
    notes: row.notes,
    status: row.status,
    manager:
      managerName || managerEmail
        ? { name: managerName || managerEmail, email: managerEmail, phone: row.manager_phone }
        : null,
    expires: `${localDate(expiresAt, row.timezone, lang)}, ${localTime(expiresAt, row.timezone, lang)} (${zoneLabel(expiresAt, row.timezone, lang)})`,
  };
}
