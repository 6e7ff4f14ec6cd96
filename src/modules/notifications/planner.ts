import { PostgresAdapter } from 'kysely';
import { trustedOrgId, type OrgId } from '../../platform/auth/org-scope.js';
import type { Config } from '../../config.js';
import { hashToken } from '../../platform/auth/secrets.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';
import { DAY, isoNow, MINUTE, newId } from '../../platform/clock.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { readEventsAfter, type StoredEvent } from '../../platform/events.js';
import { insertLink } from '../links/links.repository.js';
import { accountEmail, assignmentFacts, emailOf, hasLink, userContacts } from './facts.repository.js';
import {
  dropQueuedReminders,
  findOpenCoalesced,
  insertNotification,
  postpone,
  queuedReminders,
  setPayload,
  type NewNotification,
} from './notifications.repository.js';
import { settingsOf, type NotificationSettings } from './settings.service.js';

/** The planner's name in `event_consumers`: how far it has turned events into notifications. */
export const PLANNER = 'notifications';
/**
 * Events planned per transaction. On SQLite a transaction holds the one connection, so requests wait for it:
 * 20 events (≈ 15 ms) keep the event loop's p99 at 23 ms during the bench's accept run, where 500 (and 100) let
 * one planning transaction stall every request for 80–95 ms. The dispatcher yields between batches.
 */
export const PLAN_BATCH = 20;

interface Plan {
  tx: Tx;
  config: Config;
  event: StoredEvent;
  /** the org of the event row (a trusted id); null for an event outside any org */
  orgId: OrgId | null;
  messageDomain: string;
  settings: (orgId: OrgId) => Promise<NotificationSettings | null>;
  /** an assignment's facts, read once per batch: the planner's transaction writes no assignment */
  facts: (assignmentId: string) => ReturnType<typeof assignmentFacts>;
  /** an account's email, read once per batch (the manager who invited is the same for many answers) */
  account: (accountId: string) => ReturnType<typeof accountEmail>;
}

export const messageDomainOf = (config: Config) => new URL(config.publicBaseUrl).hostname;

/**
 * Turns the next batch of events into queued notifications, in one transaction with the planner's cursor, so
 * an event is planned exactly once even with several instances (the cursor row is claimed with SKIP LOCKED:
 * the instance that holds it plans, the others go on sending). Returns how many events it read.
 */
export async function planBatch(
  db: Db,
  config: Config,
  /** asked when the next event fails on its own: true steps over it (a poison event, not an outage) */
  skipPoison: (eventId: number, error: unknown) => boolean = () => false,
): Promise<number> {
  try {
    return await planEvents(db, config, PLAN_BATCH, false);
  } catch {
    // One bad event must not stop every mail: plan the next one alone to find out whether it is the culprit.
    try {
      return await planEvents(db, config, 1, false);
    } catch (alone) {
      const cursor = await db
        .selectFrom('event_consumers')
        .select('last_event_id')
        .where('name', '=', PLANNER)
        .executeTakeFirst();
      const [next] = await readEventsAfter(db, Number(cursor?.last_event_id ?? 0), 1);
      if (!next || !skipPoison(next.id, alone)) throw alone;
      return (await planEvents(db, config, 1, true)) ? 1 : 0;
    }
  }
}

/** With `skip`, moves the cursor past the next event without planning it; returns that event's id. */
async function planEvents(db: Db, config: Config, batch: number, skip: boolean): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto('event_consumers')
      .values({ name: PLANNER, last_event_id: 0, updated_at: isoNow() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    let cursorQuery = tx.selectFrom('event_consumers').select('last_event_id').where('name', '=', PLANNER);
    if (tx.getExecutor().adapter instanceof PostgresAdapter)
      cursorQuery = cursorQuery.forUpdate().skipLocked();
    const cursor = await cursorQuery.executeTakeFirst();
    if (!cursor) return 0; // another instance is planning
    const events = await readEventsAfter(tx, Number(cursor.last_event_id), batch);
    if (events.length === 0) return 0;
    const cache = new Map<string, Promise<NotificationSettings | null>>();
    const settings = (orgId: OrgId) => {
      let found = cache.get(orgId);
      if (!found) cache.set(orgId, (found = settingsOf(tx, orgId)));
      return found;
    };
    const once = <T>(load: (id: string) => Promise<T>) => {
      const found = new Map<string, Promise<T>>();
      return (id: string) => {
        let value = found.get(id);
        if (!value) found.set(id, (value = load(id)));
        return value;
      };
    };
    const facts = once((id) => assignmentFacts(tx, id));
    const account = once((id) => accountEmail(tx, id));
    const messageDomain = messageDomainOf(config);
    if (!skip)
      for (const event of events) {
        // the org of an event row: a trusted id
        const orgId = event.org_id === null ? null : trustedOrgId(event.org_id);
        await planEvent({ tx, config, event, orgId, messageDomain, settings, facts, account });
      }
    await tx
      .updateTable('event_consumers')
      .set({ last_event_id: events.at(-1)!.id, updated_at: isoNow() })
      .where('name', '=', PLANNER)
      .execute();
    return skip ? events[0]!.id : events.length;
  });
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

async function planEvent(plan: Plan): Promise<void> {
  const { event } = plan;
  const p = event.payload;
  switch (event.type) {
    case 'assignment.invited':
      return planInvitation(plan, str(p.assignment_id)!);
    case 'assignment.accepted':
    case 'assignment.declined':
      await planResponse(plan, str(p.assignment_id)!, event.type === 'assignment.accepted');
      if (event.type === 'assignment.accepted') await planReminder(plan, str(p.assignment_id)!);
      return;
    case 'assignment.cancelled':
      return planCancellation(plan, str(p.assignment_id)!, str((p.before as { status?: string })?.status));
    case 'mission.changed':
      return planChange(plan);
    case 'mission.deleted':
      return planDeletion(plan);
    case 'org_invitation.created':
      await queue(plan, {
        kind: 'org_invitation',
        recipientEmail: str(p.email)!,
        payload: { invitation_id: p.invitation_id },
      });
      return;
    case 'password_reset.requested': {
      const account = await accountEmail(plan.tx, str(p.account_id)!);
      if (!account) return;
      await queue(plan, {
        kind: 'password_reset',
        recipientEmail: account.email,
        accountId: account.id,
        payload: { reset_id: p.reset_id },
      });
      return;
    }
    default:
      return; // events for other consumers (the stream, webhooks)
  }
}

type Queued = Omit<NewNotification, 'orgId' | 'eventId' | 'now' | 'messageDomain' | 'dueAt'> & {
  dueAt?: string;
};

async function queue(plan: Plan, n: Queued): Promise<string> {
  const now = isoNow();
  return insertNotification(plan.tx, {
    ...n,
    orgId: plan.orgId,
    eventId: plan.event.id,
    dueAt: n.dueAt ?? now,
    now,
    messageDomain: plan.messageDomain,
  });
}

const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * The invitee gets one message per window: the first invitation opens it (due at the window's end), the next
 * ones within it join. Each assignment gets its own signed link, minted now and kept only as its hash; the
 * message recomputes the token from the link id (derived-tokens.ts), so a retried mail carries the same link.
 */
async function planInvitation(plan: Plan, assignmentId: string): Promise<void> {
  const { tx, event } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.invitation) return;
  const facts = await plan.facts(assignmentId);
  const email = facts && emailOf(facts);
  if (!facts || !email || facts.status !== 'INVITED' || facts.starts_at <= event.created_at) return;
  const linkId = newId();
  const ttlEnd = later(event.created_at, 7 * DAY);
  await insertLink(tx, {
    id: linkId,
    org_id: facts.org_id,
    assignment_id: facts.id,
    token_hash: hashToken(derivedToken(plan.config.secretKey, 'assignment-link', linkId)),
    created_by: null,
    created_at: isoNow(),
    expires_at: ttlEnd < facts.starts_at ? ttlEnd : facts.starts_at,
    revoked_at: null,
  });
  const item = { assignment_id: facts.id, link_id: linkId };
  const key = `invitation:${facts.user_id}`;
  // No window (coalesce_seconds 0): nothing to join, and one query less per invitation.
  const open = settings.coalesce_seconds > 0 ? await findOpenCoalesced(tx, key, event.created_at) : null;
  if (open) {
    const items = (open.payload.items as unknown[]) ?? [];
    await setPayload(tx, open.id, { ...open.payload, items: [...items, item] }, isoNow());
    return;
  }
  await queue(plan, {
    kind: 'invitation',
    recipientEmail: email,
    userId: facts.user_id,
    coalesceKey: key,
    payload: { items: [item] },
    dueAt: later(event.created_at, settings.coalesce_seconds * 1000),
  });
}

/** The inviting manager hears of an answer, unless they gave it themselves. */
async function planResponse(plan: Plan, assignmentId: string, accepted: boolean): Promise<void> {
  const { event } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.assignment_response) return;
  const facts = await plan.facts(assignmentId);
  if (!facts?.invited_by || facts.invited_by === event.actor_account_id) return;
  const manager = await plan.account(facts.invited_by);
  if (!manager) return;
  await queue(plan, {
    kind: 'assignment_response',
    recipientEmail: manager.email,
    accountId: manager.id,
    payload: { assignment_id: assignmentId, accepted, reason: event.payload.reason ?? null },
  });
}

/** A reminder `lead` before the start; none when the mission starts sooner than that. */
async function planReminder(plan: Plan, assignmentId: string): Promise<void> {
  const { tx, event } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.reminder) return;
  const facts = await plan.facts(assignmentId);
  const email = facts && emailOf(facts);
  if (!facts || !email) return;
  const due = later(facts.starts_at, -settings.reminder_lead_minutes * MINUTE);
  if (due <= event.created_at) return;
  await dropQueuedReminders(tx, assignmentId);
  await queue(plan, {
    kind: 'reminder',
    recipientEmail: email,
    userId: facts.user_id,
    assignmentId,
    payload: { assignment_id: assignmentId },
    dueAt: due,
  });
}

async function planCancellation(plan: Plan, assignmentId: string, before: string | null): Promise<void> {
  const { tx, event } = plan;
  await dropQueuedReminders(tx, assignmentId);
  if (before !== 'INVITED' && before !== 'ACCEPTED') return;
  const facts = await assignmentFacts(tx, assignmentId);
  if (!facts) return;
  // An invitation still waiting in its window: withdraw it there; the person never heard of it.
  const open = await findOpenCoalesced(tx, `invitation:${facts.user_id}`, isoNow());
  const items = (open?.payload.items as { assignment_id: string }[] | undefined) ?? [];
  if (open && items.some((i) => i.assignment_id === assignmentId)) {
    const rest = items.filter((i) => i.assignment_id !== assignmentId);
    await setPayload(tx, open.id, { ...open.payload, items: rest }, isoNow());
    return;
  }
  // Never told (no link was ever made for it, by a manager or by an invitation mail): nothing to take back.
  if (before === 'INVITED' && !(await hasLink(tx, assignmentId))) return;
  const settings = await plan.settings(plan.orgId!);
  const email = emailOf(facts);
  if (!settings?.assignment_cancelled || !email) return;
  await queue(plan, {
    kind: 'assignment_cancelled',
    recipientEmail: email,
    userId: facts.user_id,
    assignmentId,
    payload: { assignment_id: assignmentId, reason: event.payload.reason ?? null },
  });
}

interface Holder {
  assignment_id: string;
  user_id: string;
  status: string;
  role_name?: string;
}

/** Only the people holding the mission hear of a change, with what changed; their reminders move with it. */
async function planChange(plan: Plan): Promise<void> {
  const { tx, event } = plan;
  const p = event.payload as {
    holders?: Holder[];
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
    changed?: string[];
  };
  const holders = p.holders ?? [];
  const settings = await plan.settings(plan.orgId!);
  if (!settings) return;
  if (p.changed?.includes('starts_at'))
    await moveReminders(plan, settings, holders, str(p.after?.starts_at)!);
  const shown = (p.changed ?? []).filter((f) =>
    ['starts_at', 'ends_at', 'location', 'notes', 'title'].includes(f),
  );
  if (!settings.assignment_changed || shown.length === 0) return;
  const contacts = await userContacts(
    tx,
    holders.map((h) => h.user_id),
  );
  for (const holder of holders) {
    const contact = contacts.get(holder.user_id);
    const email = contact && emailOf(contact);
    if (!email) continue;
    await queue(plan, {
      kind: 'assignment_changed',
      recipientEmail: email,
      userId: holder.user_id,
      assignmentId: holder.assignment_id,
      payload: { assignment_id: holder.assignment_id, changed: shown, before: p.before, after: p.after },
    });
  }
}

async function moveReminders(
  plan: Plan,
  settings: NotificationSettings,
  holders: Holder[],
  startsAt: string,
) {
  const due = later(startsAt, -settings.reminder_lead_minutes * MINUTE);
  const now = isoNow();
  for (const reminder of await queuedReminders(
    plan.tx,
    holders.map((h) => h.assignment_id),
  )) {
    if (due <= now) await dropQueuedReminders(plan.tx, reminder.assignment_id!);
    else await postpone(plan.tx, reminder.id, due, now);
  }
}

/** A deleted mission reaches its holders as a cancellation; the payload carries what the rows no longer can. */
async function planDeletion(plan: Plan): Promise<void> {
  const { tx, event } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.assignment_cancelled) return;
  const p = event.payload as { holders?: Holder[]; before?: Record<string, unknown> };
  const contacts = await userContacts(
    tx,
    (p.holders ?? []).map((h) => h.user_id),
  );
  for (const holder of p.holders ?? []) {
    const contact = contacts.get(holder.user_id);
    const email = contact && emailOf(contact);
    if (!email) continue;
    await queue(plan, {
      kind: 'assignment_cancelled',
      recipientEmail: email,
      userId: holder.user_id,
      payload: { mission: p.before, role_name: holder.role_name ?? null, mission_deleted: true },
    });
  }
}
