import { sql, SqliteAdapter } from 'kysely';
import type { Config } from '../../config.js';
import { trustedOrgId, type OrgId } from '../../platform/auth/org-scope.js';
import { HOUR, toIso } from '../../platform/clock.js';
import { asBool, type Db, type Executor, type Tx } from '../../platform/db/database.js';
import { localDate, localTime, zoneLabel, type Language } from '../../platform/human-time.js';
import { PAY_DEFAULTS } from '../pay/pay-settings.repository.js';
import type { Composition } from './compose.js';
import {
  findOpenCoalesced,
  insertNotification,
  setPayload,
  type NotificationRow,
} from './notifications.repository.js';
import { messageDomainOf } from './planner.js';
import { settingsOf, type NotificationSettings } from './settings.service.js';
import { TEXTS } from './texts.js';
import { renderMail, type MailSection } from './templates.js';

/**
 * DPAE reminders to managers (issue 15 §3). No event says "this assignment enters the DPAE window": time does.
 * So the dispatcher scans, at most every `everyMs`, for ACCEPTED assignments whose mission starts within the org's
 * DPAE delay (`pay_settings.dpae_delay_hours`, default 48 h) with no DPAE recorded and no reminder yet, and queues
 * one reminder per manager for them, coalesced like invitations (`coalesce_seconds`). `dpae_reminders` remembers
 * each assignment once reminded, so a reminder goes out once per assignment; the message re-checks every
 * assignment when it is written (declared meanwhile, cancelled, started: left out; none left: not sent).
 *
 * Who is reminded: the manager who invited the person, while that account is active and still a manager, admin
 * or owner of the org; otherwise (an assignment made by an import or a fixture, an inviter who left) every active
 * manager, admin and owner of the org.
 */

const MANAGING_ROLES = ['owner', 'admin', 'manager'] as const;
/** Assignments reminded per scan at most: the next scan takes the rest. */
const SCAN_LIMIT = 1000;

interface Candidate {
  assignment_id: string;
  org_id: string;
  invited_by: string | null;
  starts_at: string;
}

function candidates(db: Executor, from: string, to: string, org: { only?: string; except: string[] }) {
  let q = db
    .selectFrom('missions as m')
    .innerJoin('assignments as a', 'a.mission_id', 'm.id')
    .leftJoin('dpae_declarations as d', 'd.assignment_id', 'a.id')
    .leftJoin('dpae_reminders as r', 'r.assignment_id', 'a.id')
    .select(['a.id as assignment_id', 'a.org_id', 'a.invited_by', 'm.starts_at'])
    .where('m.starts_at', '>', from)
    .where('m.starts_at', '<=', to)
    // Through the missions' start index, then the partial index of active assignments by mission: SQLite's
    // planner otherwise walks every ACCEPTED assignment of the org (`+` hides the status index from it; ≈ 8 s
    // instead of ≈ 50 ms on a scale-L file, blocking the event loop).
    .where(sql<boolean>`a.status IN ('INVITED', 'ACCEPTED')`)
    .where(
      db.getExecutor().adapter instanceof SqliteAdapter ? sql<string>`+a.status` : sql<string>`a.status`,
      '=',
      'ACCEPTED',
    )
    .where('d.assignment_id', 'is', null)
    .where('r.assignment_id', 'is', null);
  if (org.only) q = q.where('m.org_id', '=', org.only);
  if (org.except.length > 0) q = q.where('m.org_id', 'not in', org.except);
  return q.orderBy('m.starts_at').limit(SCAN_LIMIT).execute();
}

/** Active managers, admins and owners of the org, with their account's email. */
function managersOf(db: Executor, orgId: OrgId) {
  return db
    .selectFrom('org_memberships as om')
    .innerJoin('accounts as acc', 'acc.id', 'om.account_id')
    .select(['acc.id', 'acc.email', 'acc.active'])
    .where('om.org_id', '=', orgId)
    .where('om.role', 'in', MANAGING_ROLES)
    .orderBy('acc.id')
    .execute()
    .then((rows) => rows.filter((r) => asBool(r.active)).map((r) => ({ id: r.id, email: r.email })));
}

/** One scan: returns how many assignments it queued a reminder for. */
export async function scanDpaeReminders(db: Db, config: Config, now: Date): Promise<number> {
  const nowIso = now.toISOString();
  // Orgs whose delay is not the default are scanned one by one (through the org's missions index); the others
  // together, through the missions' start index.
  const custom = await db
    .selectFrom('pay_settings')
    .select(['org_id', 'dpae_delay_hours'])
    .where('dpae_delay_hours', '!=', PAY_DEFAULTS.dpae_delay_hours)
    .execute();
  // Orgs that switched the kind off are left out of the scan: their assignments, never recorded, would otherwise
  // fill every scan's limit and starve the other orgs.
  const off = (await db.selectFrom('org_notification_settings').select(['org_id', 'dpae_reminder']).execute())
    .filter((row) => !asBool(row.dpae_reminder))
    .map((row) => row.org_id);
  const window = (hours: number) => new Date(now.getTime() + hours * HOUR).toISOString();
  const found: Candidate[] = await candidates(db, nowIso, window(PAY_DEFAULTS.dpae_delay_hours), {
    except: [...custom.map((c) => c.org_id), ...off],
  });
  for (const c of custom.filter((c) => !off.includes(c.org_id)))
    found.push(...(await candidates(db, nowIso, window(c.dpae_delay_hours), { only: c.org_id, except: [] })));
  if (found.length === 0) return 0;

  const byOrg = new Map<string, Candidate[]>();
  for (const c of found) byOrg.set(c.org_id, [...(byOrg.get(c.org_id) ?? []), c]);
  let queued = 0;
  for (const [org, list] of byOrg) {
    // the org of an assignment row: a trusted id
    const orgId = trustedOrgId(org);
    queued += await db.transaction().execute((tx) => remindOrg(tx, config, orgId, list, nowIso));
  }
  return queued;
}

async function remindOrg(tx: Tx, config: Config, orgId: OrgId, list: Candidate[], now: string) {
  const settings = await settingsOf(tx, orgId);
  if (!settings?.dpae_reminder) return 0; // switched off: nothing recorded, so switching on reminds them then
  const managers = await managersOf(tx, orgId);
  const byRecipient = new Map<string, { email: string; items: string[] }>();
  let queued = 0;
  for (const c of list) {
    // Claimed once: another instance scanning at the same time inserts nothing and queues nothing.
    const claimed = await tx
      .insertInto('dpae_reminders')
      .values({ assignment_id: c.assignment_id, org_id: orgId, notification_id: null, created_at: now })
      .onConflict((oc) => oc.column('assignment_id').doNothing())
      .returning('assignment_id')
      .executeTakeFirst();
    if (!claimed) continue;
    queued++;
    const inviter = managers.find((m) => m.id === c.invited_by);
    for (const m of inviter ? [inviter] : managers) {
      const entry = byRecipient.get(m.id) ?? { email: m.email, items: [] };
      entry.items.push(c.assignment_id);
      byRecipient.set(m.id, entry);
    }
  }
  const messageDomain = messageDomainOf(config);
  for (const [accountId, { email, items }] of byRecipient) {
    const key = `dpae:${orgId}:${accountId}`;
    const fresh = items.map((assignment_id) => ({ assignment_id }));
    const open = await findOpenCoalesced(tx, key, now);
    let notificationId: string;
    if (open) {
      notificationId = open.id;
      const before = (open.payload.items as unknown[]) ?? [];
      await setPayload(tx, open.id, { ...open.payload, items: [...before, ...fresh] }, now);
    } else {
      notificationId = await insertNotification(tx, {
        orgId,
        kind: 'dpae_reminder',
        recipientEmail: email,
        accountId,
        eventId: null,
        coalesceKey: key,
        payload: { items: fresh },
        dueAt: new Date(Date.parse(now) + settings.coalesce_seconds * 1000).toISOString(),
        now,
        messageDomain,
      });
    }
    await tx
      .updateTable('dpae_reminders')
      .set({ notification_id: notificationId })
      .where('assignment_id', 'in', items)
      .where('notification_id', 'is', null)
      .execute();
  }
  return queued;
}

/** Runs the scan at most every `everyMs` of the clock it is given (a test's clock moves it on at once). */
export function dpaeReminderScan(deps: { db: Db; config: Config }, everyMs: number) {
  let last: number | null = null;
  return async (now: Date): Promise<number> => {
    const t = now.getTime();
    if (last !== null && t >= last && t - last < everyMs) return 0;
    last = t;
    return scanDpaeReminders(deps.db, deps.config, now);
  };
}

// Composing the message.

interface DpaeTexts {
  subject: (count: number, first: { name: string; title: string; date: string }) => string;
  intro: (count: number, hours: number) => string;
  declare: string;
  labels: {
    person: string;
    employment: string;
    mission: string;
    role: string;
    project: string;
    start: string;
  };
  employment: Record<string, string>;
}

export const DPAE_TEXTS: Record<Language, DpaeTexts> = {
  fr: {
    subject: (count, f) =>
      count === 1
        ? `DPAE à déclarer : ${f.name}, ${f.title} – ${f.date}`
        : `DPAE à déclarer : ${count} embauches`,
    intro: (count, hours) =>
      count === 1
        ? `Aucune DPAE n’est enregistrée pour cet engagement accepté, qui commence dans moins de ${hours} h.`
        : `Aucune DPAE n’est enregistrée pour ces ${count} engagements acceptés, qui commencent dans moins de ${hours} h.`,
    declare:
      'La DPAE se déclare à l’Urssaf avant la prise de poste ; une fois déclarée, enregistrez-la dans Coulisses Crew ' +
      '(POST …/assignments/{id}/dpae) pour ne plus la voir dans la liste des DPAE manquantes.',
    labels: {
      person: 'Personne',
      employment: 'Contrat',
      mission: 'Mission',
      role: 'Poste',
      project: 'Projet',
      start: 'Début',
    },
    employment: { INTERMITTENT: 'intermittent', CDI: 'CDI', CDD: 'CDD', FREELANCE: 'indépendant' },
  },
  en: {
    subject: (count, f) =>
      count === 1
        ? `DPAE to declare: ${f.name}, ${f.title} – ${f.date}`
        : `DPAE to declare: ${count} engagements`,
    intro: (count, hours) =>
      count === 1
        ? `No DPAE is recorded for this accepted engagement, which starts within ${hours} h.`
        : `No DPAE is recorded for these ${count} accepted engagements, which start within ${hours} h.`,
    declare:
      'The DPAE is declared to URSSAF before work starts; once declared, record it in Coulisses Crew ' +
      '(POST …/assignments/{id}/dpae) so that it leaves the list of missing DPAEs.',
    labels: {
      person: 'Person',
      employment: 'Employment',
      mission: 'Mission',
      role: 'Role',
      project: 'Project',
      start: 'Start',
    },
    employment: { INTERMITTENT: 'intermittent', CDI: 'permanent (CDI)', CDD: 'fixed-term (CDD)' },
  },
};

function pendingFacts(db: Executor, ids: string[]) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('dpae_declarations as d', 'd.assignment_id', 'a.id')
    .select([
      'a.id',
      'a.status',
      'm.title',
      'm.starts_at',
      'r.name as role_name',
      'p.name as project_name',
      'u.first_name',
      'u.last_name',
      'u.employment_type',
      'd.declared_at',
    ])
    .where('a.id', 'in', ids)
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .execute();
}

/** The reminder as written when it goes out: only the assignments still ACCEPTED, undeclared and not started. */
export async function composeDpaeReminder(
  ctx: { db: Executor; config: Config; n: NotificationRow; now: string },
  s: NotificationSettings,
): Promise<Composition> {
  if (!s.dpae_reminder) return { drop: 'DPAE reminders are off for the org' };
  const ids = ((ctx.n.payload.items as { assignment_id: string }[] | undefined) ?? []).map(
    (i) => i.assignment_id,
  );
  const rows = ids.length === 0 ? [] : await pendingFacts(ctx.db, ids);
  const pending = rows.filter(
    (r) =>
      r.status === 'ACCEPTED' &&
      r.declared_at === null &&
      Date.parse(toIso(r.starts_at)) > Date.parse(ctx.now),
  );
  if (pending.length === 0) return { drop: 'every assignment was declared, cancelled or has started' };
  const lang = s.language;
  const t = TEXTS[lang];
  const d = DPAE_TEXTS[lang];
  const hours = ctx.n.org_id
    ? await ctx.db
        .selectFrom('pay_settings')
        .select('dpae_delay_hours')
        .where('org_id', '=', ctx.n.org_id)
        .executeTakeFirst()
        .then((row) => row?.dpae_delay_hours ?? PAY_DEFAULTS.dpae_delay_hours)
    : PAY_DEFAULTS.dpae_delay_hours;
  const when = (iso: string) =>
    `${localDate(iso, s.timezone, lang)}, ${localTime(iso, s.timezone, lang)} (${zoneLabel(iso, s.timezone, lang)})`;
  const sections: MailSection[] = pending.map((r) => {
    const name = `${r.first_name} ${r.last_name}`.trim();
    return {
      heading: `${name} – ${r.title}`,
      rows: [
        { label: d.labels.person, value: name },
        { label: d.labels.employment, value: d.employment[r.employment_type] ?? r.employment_type },
        { label: d.labels.mission, value: r.title },
        { label: d.labels.project, value: r.project_name },
        { label: d.labels.role, value: r.role_name },
        { label: d.labels.start, value: when(toIso(r.starts_at)) },
      ],
      changes: [],
    };
  });
  const first = pending[0]!;
  const subject = d.subject(pending.length, {
    name: `${first.first_name} ${first.last_name}`.trim(),
    title: first.title,
    date: localDate(toIso(first.starts_at), s.timezone, lang),
  });
  const rendered = renderMail({
    lang,
    subject,
    greeting: t.hello(null),
    intro: [d.intro(pending.length, hours)],
    sections,
    outro: [d.declare],
    footer: t.footer(s.org_name),
  });
  return { mail: { subject, ...rendered, headers: {} } };
}
