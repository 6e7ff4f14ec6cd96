import { PostgresAdapter } from 'kysely';
import { trustedOrgId, type OrgId } from '../../platform/auth/org-scope.js';
import type { Config } from '../../config.js';
import { hashToken } from '../../platform/auth/secrets.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';
import { DAY, isoNow, MINUTE, newId } from '../../platform/clock.js';
import { toJson, type Db, type Executor, type Tx } from '../../platform/db/database.js';
import type { LinksTable, NotificationsTable } from '../../platform/db/tables.js';
import { readEventsAfter, type StoredEvent } from '../../platform/events.js';
import {
  accountEmail,
  accountEmails,
  assignmentFacts,
  assignmentFactsOf,
  emailOf,
  hasLink,
  userContacts,
  type AssignmentFacts,
} from './facts.repository.js';
import {
  dropQueuedReminders,
  findOpenCoalesced,
  insertPlanned,
  notificationRow,
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
 * 60 events take ≈ 2 ms, and the dispatcher yields between batches (500 once stalled every request for 80–95 ms,
 * when planning an event cost ten times what it does now). Smaller batches cost more a pair: each adds a dozen
 * statements and a commit (20 events: 0.46 ms of CPU a pair, 60: 0.37). On PostgreSQL a planning transaction
 * holds only its own connection and the cursor row, so it takes more at once (docs/events.md, "Notifications").
 */
export const PLAN_BATCH = 60;
export const PLAN_BATCH_POSTGRES = 200;

export const planBatchSize = (db: Executor) => (isPostgres(db) ? PLAN_BATCH_POSTGRES : PLAN_BATCH);
const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

interface Plan {
  tx: Tx;
  config: Config;
  event: StoredEvent;
  /** the org of the event row (a trusted id); null for an event outside any org */
  orgId: OrgId | null;
  messageDomain: string;
  settings: (orgId: OrgId) => Promise<NotificationSettings | null>;
  /** an assignment's facts, read for the whole batch at once: the planner's transaction writes no assignment */
  facts: (assignmentId: string) => Promise<AssignmentFacts | undefined>;
  /** an account's email, read once per batch (the manager who invited is the same for many answers) */
  account: (accountId: string) => ReturnType<typeof accountEmail>;
  writes: BatchWrites;
}

/**
 * What a batch adds, written together before its cursor moves: the links and notifications it queues (one INSERT
 * each) and the queued reminders it replaces (one DELETE). Statements that read notifications or links (a
 * cancellation, a change) flush them first; an invitation joining a message still in its window looks here
 * before it asks the database, so a batch behaves as if each row were written at once.
 */
class BatchWrites {
  private links: LinksTable[] = [];
  private queued: { row: NotificationsTable; payload: Record<string, unknown> }[] = [];
  private reminderDrops = new Set<string>();
  constructor(private readonly tx: Tx) {}

  link(row: LinksTable) {
    this.links.push(row);
  }
  queue(n: NewNotification): string {
    const row = notificationRow(n);
    this.queued.push({ row, payload: n.payload });
    return row.id;
  }
  /** `dropQueuedReminders`, for the reminders already in the database and those queued by this batch */
  dropReminders(assignmentId: string) {
    this.reminderDrops.add(assignmentId);
    this.queued = this.queued.filter(
      (q) => q.row.kind !== 'reminder' || q.row.assignment_id !== assignmentId,
    );
  }
  /** `findOpenCoalesced` among this batch's rows: the newest with the key, still in its window at `now` */
  openCoalesced(key: string, now: string) {
    for (let i = this.queued.length - 1; i >= 0; i--) {
      const q = this.queued[i]!;
      if (q.row.coalesce_key === key && q.row.due_at > now) return q;
    }
    return undefined;
  }
  async flush() {
    if (this.reminderDrops.size > 0) await dropQueuedReminders(this.tx, [...this.reminderDrops]);
    const notifications = this.queued.map(({ row, payload }) => ({ ...row, payload: toJson(payload)! }));
    await insertPlanned(this.tx, { links: this.links, notifications });
    this.links = [];
    this.queued = [];
    this.reminderDrops.clear();
  }
}

/** Events whose planning reads notifications or links: the batch's writes are flushed before them. */
const READS_QUEUE = new Set(['assignment.cancelled', 'mission.changed']);

export const messageDomainOf = (config: Config) => new URL(config.publicBaseUrl).hostname;

export interface Planned {
  /** events read (planned, or stepped over) */
  read: number;
  /** the planner's cursor after the batch; null when another instance holds it */
  cursor: number | null;
}

/**
 * Turns the next batch of events into queued notifications, in one transaction with the planner's cursor, so
 * an event is planned exactly once even with several instances (the cursor row is claimed with SKIP LOCKED:
 * the instance that holds it plans, the others go on sending).
 */
export async function planBatch(
  db: Db,
  config: Config,
  /** asked when the next event fails on its own: true steps over it (a poison event, not an outage) */
  skipPoison: (eventId: number, error: unknown) => boolean = () => false,
): Promise<Planned> {
  try {
    return await planEvents(db, config, planBatchSize(db), false);
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
      return planEvents(db, config, 1, true);
    }
  }
}

async function claimCursor(tx: Tx) {
  const select = () => {
    const query = tx.selectFrom('event_consumers').select('last_event_id').where('name', '=', PLANNER);
    return (isPostgres(tx) ? query.forUpdate().skipLocked() : query).executeTakeFirst();
  };
  const found = await select();
  if (found) return found;
  // The first round of a new database: the row is created once (or by another instance at the same time).
  await tx
    .insertInto('event_consumers')
    .values({ name: PLANNER, last_event_id: 0, updated_at: isoNow() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return select();
}

/** With `skip`, moves the cursor past the next event without planning it. */
async function planEvents(db: Db, config: Config, batch: number, skip: boolean): Promise<Planned> {
  return db.transaction().execute(async (tx) => {
    const cursor = await claimCursor(tx);
    if (!cursor) return { read: 0, cursor: null }; // another instance is planning
    const events = await readEventsAfter(tx, Number(cursor.last_event_id), batch);
    if (events.length === 0) return { read: 0, cursor: Number(cursor.last_event_id) };
    const cache = new Map<string, Promise<NotificationSettings | null>>();
    const settings = (orgId: OrgId) => {
      let found = cache.get(orgId);
      if (!found) cache.set(orgId, (found = settingsOf(tx, orgId)));
      return found;
    };
    // The facts of every assignment the batch is about, and the accounts of those who invited, in two queries.
    const assignmentIds = skip
      ? []
      : events.flatMap((e) => (e.type.startsWith('assignment.') ? [str(e.payload.assignment_id)] : []));
    const known = await assignmentFactsOf(
      tx,
      assignmentIds.filter((id): id is string => id !== null),
    );
    const facts = async (id: string) => known.get(id) ?? (await assignmentFacts(tx, id));
    const inviters = [...known.values()].flatMap((f) => (f.invited_by ? [f.invited_by] : []));
    const accounts = await accountEmails(tx, inviters);
    const account = async (id: string) => accounts.get(id) ?? (await accountEmail(tx, id));
    const messageDomain = messageDomainOf(config);
    const writes = new BatchWrites(tx);
    if (!skip)
      for (const event of events) {
        if (READS_QUEUE.has(event.type)) await writes.flush();
        // the org of an event row: a trusted id
        const orgId = event.org_id === null ? null : trustedOrgId(event.org_id);
        await planEvent({ tx, config, event, orgId, messageDomain, settings, facts, account, writes });
      }
    await writes.flush();
    const last = skip ? events[0]!.id : events.at(-1)!.id;
    await tx
      .updateTable('event_consumers')
      .set({ last_event_id: last, updated_at: isoNow() })
      .where('name', '=', PLANNER)
      .execute();
    return { read: skip ? 1 : events.length, cursor: last };
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
      queue(plan, {
        kind: 'org_invitation',
        recipientEmail: str(p.email)!,
        payload: { invitation_id: p.invitation_id },
      });
      return;
    case 'password_reset.requested': {
      const account = await plan.account(str(p.account_id)!);
      if (!account) return;
      queue(plan, {
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

function queue(plan: Plan, n: Queued): string {
  const now = isoNow();
  return plan.writes.queue({
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
  const { tx, event, writes } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.invitation) return;
  const facts = await plan.facts(assignmentId);
  const email = facts && emailOf(facts);
  if (!facts || !email || facts.status !== 'INVITED' || facts.starts_at <= event.created_at) return;
  const linkId = newId();
  const ttlEnd = later(event.created_at, 7 * DAY);
  writes.link({
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
  // No window (coalesce_seconds 0): nothing to join, and one query less per invitation. A message this batch
  // queued is newer than any in the database, so it is looked for first.
  const pending = settings.coalesce_seconds > 0 ? writes.openCoalesced(key, event.created_at) : undefined;
  if (pending) {
    pending.payload = { ...pending.payload, items: [...((pending.payload.items as unknown[]) ?? []), item] };
    return;
  }
  const open = settings.coalesce_seconds > 0 ? await findOpenCoalesced(tx, key, event.created_at) : null;
  if (open) {
    const items = (open.payload.items as unknown[]) ?? [];
    await setPayload(tx, open.id, { ...open.payload, items: [...items, item] }, isoNow());
    return;
  }
  queue(plan, {
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
  queue(plan, {
    kind: 'assignment_response',
    recipientEmail: manager.email,
    accountId: manager.id,
    payload: { assignment_id: assignmentId, accepted, reason: event.payload.reason ?? null },
  });
}

/** A reminder `lead` before the start; none when the mission starts sooner than that. */
async function planReminder(plan: Plan, assignmentId: string): Promise<void> {
  const { event } = plan;
  const settings = await plan.settings(plan.orgId!);
  if (!settings?.reminder) return;
  const facts = await plan.facts(assignmentId);
  const email = facts && emailOf(facts);
  if (!facts || !email) return;
  const due = later(facts.starts_at, -settings.reminder_lead_minutes * MINUTE);
  if (due <= event.created_at) return;
  plan.writes.dropReminders(assignmentId);
  queue(plan, {
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
  const facts = await plan.facts(assignmentId);
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
  queue(plan, {
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
    queue(plan, {
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
    queue(plan, {
      kind: 'assignment_cancelled',
      recipientEmail: email,
      userId: holder.user_id,
      payload: { mission: p.before, role_name: holder.role_name ?? null, mission_deleted: true },
    });
  }
}
