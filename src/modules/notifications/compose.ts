import type { Config } from '../../config.js';
import { trustedOrgId } from '../../platform/auth/org-scope.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';
import type { Executor } from '../../platform/db/database.js';
import { localDate, localRange, localTime, zoneLabel, type Language } from '../../platform/human-time.js';
import {
  assignmentFacts,
  emailOf,
  managerContact,
  orgInvitationFacts,
  resetFacts,
  type AssignmentFacts,
} from './facts.repository.js';
import type { NotificationRow } from './notifications.repository.js';
import { isOptedOut } from './settings.repository.js';
import { settingsOf, type NotificationSettings } from './settings.service.js';
import { TEXTS, type Texts } from './texts.js';
import { renderMail, type MailModel, type MailSection } from './templates.js';
import { composeDpaeReminder } from './dpae-reminders.js';
import { unsubscribeUrl } from './unsubscribe.js';

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

interface Ctx {
  db: Executor;
  config: Config;
  n: NotificationRow;
  now: string;
  /**
   * Lookups shared by the mails of one dispatcher round (an org's settings, a manager's contact): many mails of a
   * round are for the same org and manager. A round is short, so a change shows from the next round on.
   */
  round?: Map<string, Promise<unknown>>;
  /**
   * The facts of the assignments of the mail's claimed batch, read in one query right after the claim; an
   * assignment missing from it is read on its own (and is gone when that finds nothing too).
   */
  facts?: ReadonlyMap<string, AssignmentFacts>;
}

const factsOf = async (ctx: Ctx, assignmentId: string) =>
  ctx.facts?.get(assignmentId) ?? (await assignmentFacts(ctx.db, assignmentId));

/** `load()` once per round for `key` (every time without a round). */
function perRound<T>(ctx: Ctx, key: string, load: () => Promise<T>): Promise<T> {
  if (!ctx.round) return load();
  let found = ctx.round.get(key) as Promise<T> | undefined;
  if (!found) {
    const round = ctx.round;
    round.set(key, (found = load()));
    found.catch(() => round.delete(key)); // a failed lookup is tried again by the next mail
  }
  return found;
}

const orgSettings = (ctx: Ctx, orgId: string) =>
  perRound(ctx, `settings:${orgId}`, () => settingsOf(ctx.db, trustedOrgId(orgId)));

/** `reschedule` for a reminder whose mission moved; `drop` when there is nothing left to say. */
export type Composition = { mail: ComposedMail } | { drop: string } | { reschedule: string };

export async function composeNotification(ctx: Ctx): Promise<Composition> {
  const settings = ctx.n.org_id ? await orgSettings(ctx, ctx.n.org_id) : null;
  const lang: Language = settings?.language ?? 'en';
  const t = TEXTS[lang];
  switch (ctx.n.kind) {
    case 'invitation':
      return invitation(ctx, settings!, t);
    case 'assignment_changed':
      return change(ctx, settings!, t);
    case 'assignment_cancelled':
      return cancellation(ctx, settings!, t);
    case 'assignment_response':
      return response(ctx, settings!, t);
    case 'reminder':
      return reminder(ctx, settings!, t);
    case 'org_invitation':
      return orgInvitation(ctx, t);
    case 'password_reset':
      return passwordReset(ctx, t);
    case 'dpae_reminder':
      return composeDpaeReminder(ctx, settings!);
  }
}

function finish(
  model: Omit<MailModel, 'footer' | 'lang'>,
  t: Texts,
  lang: Language,
  org: string | null,
  headers: Record<string, string> = {},
): Composition {
  const full: MailModel = { ...model, lang, footer: t.footer(org) };
  return { mail: { subject: model.subject, ...renderMail(full), headers } };
}

const when = (iso: string, s: NotificationSettings) => localDate(iso, s.timezone, s.language);

/** The mission as the crew needs it: title, role, date, call time, location, notes, the manager to reach. */
async function missionSection(
  ctx: Ctx,
  f: AssignmentFacts,
  s: NotificationSettings,
  t: Texts,
): Promise<MailSection> {
  const zone = s.timezone;
  const manager = await perRound(ctx, `manager:${f.org_id}:${f.invited_by}`, () =>
    managerContact(ctx.db, trustedOrgId(f.org_id), f.invited_by),
  );
  const contact = manager ? [manager.name, manager.email, manager.phone].filter(Boolean).join(' · ') : null;
  const rows = [
    { label: t.labels.mission, value: f.title },
    { label: t.labels.project, value: f.project_name },
    { label: t.labels.role, value: f.role_name },
    { label: t.labels.date, value: localRange(f.starts_at, f.ends_at, zone, s.language) },
    {
      label: t.labels.callTime,
      value: `${localTime(f.starts_at, zone, s.language)} (${zoneLabel(f.starts_at, zone, s.language)})`,
    },
    ...(f.location ? [{ label: t.labels.location, value: f.location }] : []),
    ...(f.notes ? [{ label: t.labels.notes, value: f.notes }] : []),
    ...(contact ? [{ label: t.labels.contact, value: contact }] : []),
  ];
  return { heading: f.title, rows, changes: [] };
}

const linkUrl = (config: Config, linkId: string) =>
  `${config.publicBaseUrl}/invitations/${derivedToken(config.secretKey, 'assignment-link', linkId)}`;

async function invitation(ctx: Ctx, s: NotificationSettings, t: Texts): Promise<Composition> {
  const items = (ctx.n.payload.items as { assignment_id: string; link_id: string }[] | undefined) ?? [];
  const sections: MailSection[] = [];
  let first: AssignmentFacts | null = null;
  for (const item of items) {
    const f = await factsOf(ctx, item.assignment_id);
    if (!f || f.status !== 'INVITED' || f.starts_at <= ctx.now) continue; // answered or withdrawn meanwhile
    first ??= f;
    const section = await missionSection(ctx, f, s, t);
    sections.push({
      ...section,
      action: { label: t.invitation.answer, url: linkUrl(ctx.config, item.link_id) },
    });
  }
  if (!first) return { drop: 'every invitation of the message was answered or withdrawn' };
  const account = first.account_email;
  return finish(
    {
      subject:
        sections.length === 1
          ? t.invitation.subject(first.title, when(first.starts_at, s))
          : t.invitation.subjectMany(sections.length, s.org_name),
      greeting: t.hello(first.first_name),
      intro: [t.invitation.intro(s.org_name, sections.length)],
      sections,
      outro: account ? [t.invitation.app(ctx.config.publicBaseUrl, account)] : [],
    },
    t,
    s.language,
    s.org_name,
  );
}

function formatField(
  field: string,
  value: unknown,
  s: NotificationSettings,
  t: Texts,
  other: unknown,
): string {
  if (value === null || value === undefined || value === '') return t.none;
  if (field === 'starts_at' || field === 'ends_at') {
    const iso = String(value);
    const sameDay =
      typeof other === 'string' &&
      localDate(other, s.timezone, s.language) === localDate(iso, s.timezone, s.language);
    const time = localTime(iso, s.timezone, s.language);
    return sameDay ? time : `${localDate(iso, s.timezone, s.language)} ${time}`;
  }
  return String(value);
}

async function change(ctx: Ctx, s: NotificationSettings, t: Texts): Promise<Composition> {
  const p = ctx.n.payload as {
    assignment_id: string;
    changed: string[];
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  };
  const f = await factsOf(ctx, p.assignment_id);
  if (!f || (f.status !== 'INVITED' && f.status !== 'ACCEPTED')) return { drop: 'no longer on the mission' };
  const section = await missionSection(ctx, f, s, t);
  const changes = p.changed.map((field) => ({
    label: t.fields[field as keyof Texts['fields']] ?? field,
    from: formatField(field, p.before?.[field], s, t, p.after?.[field]),
    to: formatField(field, p.after?.[field], s, t, p.before?.[field]),
  }));
  const zone = p.changed.some((c) => c === 'starts_at' || c === 'ends_at')
    ? [`(${zoneLabel(f.starts_at, s.timezone, s.language)})`]
    : [];
  return finish(
    {
      subject: t.changed.subject(f.title, when(f.starts_at, s)),
      greeting: t.hello(f.first_name),
      intro: [t.changed.intro(f.title)],
      sections: [{ rows: [], changes }, section],
      outro: zone,
    },
    t,
    s.language,
    s.org_name,
  );
}

async function cancellation(ctx: Ctx, s: NotificationSettings, t: Texts): Promise<Composition> {
  const p = ctx.n.payload as {
    assignment_id?: string;
    reason?: string | null;
    mission?: Record<string, string | null>;
    role_name?: string | null;
    mission_deleted?: boolean;
  };
  if (p.mission_deleted && p.mission) {
    const m = p.mission;
    const rows = [
      { label: t.labels.mission, value: m.title ?? '' },
      ...(p.role_name ? [{ label: t.labels.role, value: p.role_name }] : []),
      { label: t.labels.date, value: localRange(m.starts_at!, m.ends_at!, s.timezone, s.language) },
      ...(m.location ? [{ label: t.labels.location, value: m.location }] : []),
    ];
    return finish(
      {
        subject: t.cancelled.subject(m.title ?? '', when(m.starts_at!, s)),
        greeting: t.hello(null),
        intro: [t.cancelled.intro(m.title ?? ''), t.cancelled.missionDeleted],
        sections: [{ rows, changes: [] }],
        outro: [],
      },
      t,
      s.language,
      s.org_name,
    );
  }
  const f = await factsOf(ctx, p.assignment_id!);
  if (!f) return { drop: 'the assignment is gone' };
  return finish(
    {
      subject: t.cancelled.subject(f.title, when(f.starts_at, s)),
      greeting: t.hello(f.first_name),
      intro: [t.cancelled.intro(f.title), ...(p.reason ? [t.cancelled.reason(p.reason)] : [])],
      sections: [await missionSection(ctx, f, s, t)],
      outro: [],
    },
    t,
    s.language,
    s.org_name,
  );
}

async function response(ctx: Ctx, s: NotificationSettings, t: Texts): Promise<Composition> {
  const p = ctx.n.payload as { assignment_id: string; accepted: boolean; reason?: string | null };
  const f = await factsOf(ctx, p.assignment_id);
  if (!f) return { drop: 'the assignment is gone' };
  const name = `${f.first_name} ${f.last_name}`.trim();
  const section = await missionSection(ctx, f, s, t);
  const reach = emailOf(f);
  return finish(
    {
      subject: t.response.subject(name, p.accepted, f.title),
      greeting: t.hello(null),
      intro: [t.response.intro(name, p.accepted), ...(p.reason ? [t.response.reason(p.reason)] : [])],
      sections: [
        {
          ...section,
          rows: [
            ...section.rows.filter((r) => r.label !== t.labels.contact),
            ...(reach ? [{ label: t.labels.contact, value: `${name} · ${reach}` }] : []),
          ],
        },
      ],
      outro: [],
    },
    t,
    s.language,
    s.org_name,
  );
}

async function reminder(ctx: Ctx, s: NotificationSettings, t: Texts): Promise<Composition> {
  const assignmentId = ctx.n.payload.assignment_id as string;
  const f = await factsOf(ctx, assignmentId);
  if (!f || f.status !== 'ACCEPTED') return { drop: 'no longer accepted' };
  if (!s.reminder) return { drop: 'reminders are off for the org' };
  if (await isOptedOut(ctx.db, f.user_id, 'reminder')) return { drop: 'the person switched reminders off' };
  if (f.starts_at <= ctx.now) return { drop: 'the mission has started' };
  const due = new Date(Date.parse(f.starts_at) - s.reminder_lead_minutes * 60_000).toISOString();
  if (due > ctx.now) return { reschedule: due }; // the mission moved later
  const unsubscribe = unsubscribeUrl(ctx.config, f.user_id);
  const whenText = `${localDate(f.starts_at, s.timezone, s.language)}, ${localTime(f.starts_at, s.timezone, s.language)} (${zoneLabel(f.starts_at, s.timezone, s.language)})`;
  return finish(
    {
      subject: t.reminder.subject(f.title, whenText),
      greeting: t.hello(f.first_name),
      intro: [t.reminder.intro(whenText)],
      sections: [await missionSection(ctx, f, s, t)],
      outro: [],
      unsubscribe: { label: t.reminder.unsubscribe, url: unsubscribe },
    },
    t,
    s.language,
    s.org_name,
    { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  );
}

async function orgInvitation(ctx: Ctx, fallback: Texts): Promise<Composition> {
  const id = ctx.n.payload.invitation_id as string;
  const i = await orgInvitationFacts(ctx.db, id);
  if (!i || i.accepted_at !== null || i.expires_at <= ctx.now)
    return { drop: 'the invitation was used or expired' };
  const s = await orgSettings(ctx, i.org_id);
  const lang = s?.language ?? 'en';
  const t = s ? TEXTS[lang] : fallback;
  const by = await managerContact(ctx.db, trustedOrgId(i.org_id), i.invited_by);
  const url = `${ctx.config.publicBaseUrl}/join?token=${derivedToken(ctx.config.secretKey, 'org-invitation', id)}`;
  return finish(
    {
      subject: t.orgInvitation.subject(i.name),
      greeting: t.hello(null),
      intro: [t.orgInvitation.intro(i.name, i.role, by?.name ?? by?.email ?? null)],
      sections: [],
      action: { label: t.orgInvitation.action, url },
      outro: [t.orgInvitation.validity],
    },
    t,
    lang,
    i.name,
  );
}

async function passwordReset(ctx: Ctx, t: Texts): Promise<Composition> {
  const id = ctx.n.payload.reset_id as string;
  const r = await resetFacts(ctx.db, id);
  if (!r || r.used_at !== null || r.expires_at <= ctx.now) return { drop: 'the reset was used or expired' };
  const url = `${ctx.config.publicBaseUrl}/reset-password?token=${derivedToken(ctx.config.secretKey, 'password-reset', id)}`;
  return finish(
    {
      subject: t.passwordReset.subject,
      greeting: t.hello(null),
      intro: [t.passwordReset.intro],
      sections: [],
      action: { label: t.passwordReset.action, url },
      outro: [t.passwordReset.validity],
    },
    t,
    'en',
    null,
  );
}
