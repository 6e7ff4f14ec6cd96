/**
 * The bare baseline of `npm run bench`: a minimal Fastify server answering the same reads with the same SQL
 * through reused prepared statements (better-sqlite3 statements / pg named queries), with no auth, no
 * validation, no schema serialisation. Started as a child process by bench/run.ts:
 *   BASELINE_DIALECT=sqlite|postgres BASELINE_DB=<file or url> PORT=… node --import tsx bench/baseline-server.ts
 */
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import type { RuleMode } from '../src/platform/db/tables.js';
import { personConflictItems } from '../src/modules/staffing/conflict-items.js';
import { DEFAULT_RULES, type BusyContext, type RuleSettings } from '../src/modules/staffing/rules.js';

const dialect = process.env.BASELINE_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
const target = process.env.BASELINE_DB!;
const PAGE = 50;

type Row = Record<string, unknown>;
type Query = (name: string, text: string, values: unknown[]) => Promise<Row[]>;

function sqliteQuery(): Query {
  const sqlite = new BetterSqlite3(target, { readonly: false });
  sqlite.pragma('busy_timeout = 5000');
  const statements = new Map<string, BetterSqlite3.Statement>();
  return async (name, text, values) => {
    let statement = statements.get(name);
    if (!statement) {
      statement = sqlite.prepare(text.replace(/\$(\d+)/g, '?$1'));
      statements.set(name, statement);
    }
    // numbered parameters (?1, ?2…) bind by position number, as an object
    return statement.all(Object.fromEntries(values.map((v, i) => [i + 1, v]))) as Row[];
  };
}

function postgresQuery(): Query {
  const pool = new pg.Pool({ connectionString: target, max: 10, options: '-c TimeZone=UTC' });
  return async (name, text, values) => (await pool.query({ name, text, values })).rows as Row[];
}

const query = dialect === 'sqlite' ? sqliteQuery() : postgresQuery();
const TRUE = dialect === 'sqlite' ? '1' : 'true';
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
const inList = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));

app.get<{ Querystring: { account_id: string } }>('/me', async (request) => {
  const id = request.query.account_id;
  const [account] = await query('me_account', 'SELECT * FROM accounts WHERE id = $1', [id]);
  const orgs = await query(
    'me_orgs',
    `SELECT m.org_id, o.name, m.role, m.created_at FROM org_memberships m JOIN orgs o ON o.id = m.org_id
     WHERE m.account_id = $1 ORDER BY m.created_at, m.id`,
    [id],
  );
  return { id, email: account!.email, orgs: orgs.map(({ org_id, name, role }) => ({ org_id, name, role })) };
});

app.get<{ Querystring: { org_id: string; from: string; to: string; earliest: string } }>(
  '/missions',
  async (request) => {
    const { org_id, from, to, earliest } = request.query;
    const rows = await query(
      'missions_page',
      `SELECT * FROM missions m WHERE m.org_id = $1 AND m.starts_at > $2 AND m.ends_at > $3 AND m.starts_at < $4
       ORDER BY m.starts_at, m.id LIMIT ${PAGE + 1}`,
      [org_id, earliest, from, to],
    );
    const page = rows.slice(0, PAGE);
    const ids = page.map((r) => r.id);
    while (ids.length < PAGE) ids.push(ids[0] ?? '00000000-0000-4000-8000-000000000000');
    const roles = await query(
      'missions_roles',
      `SELECT * FROM mission_roles WHERE org_id = $1 AND mission_id IN (${inList(2, PAGE)})
       ORDER BY created_at, name, id`,
      [org_id, ...ids],
    );
    const byMission = new Map<unknown, Row[]>();
    for (const role of roles)
      byMission.set(role.mission_id, [...(byMission.get(role.mission_id) ?? []), role]);
    return {
      items: page.map((m) => {
        const list = (byMission.get(m.id) ?? []).map((r) => ({
          id: r.id,
          name: r.name,
          quota: r.quota,
          skill: r.skill,
          min_level: r.min_level,
          accepted: r.accepted_count,
          open_slots: Number(r.quota) - Number(r.accepted_count),
        }));
        return {
          ...m,
          starts_at: iso(m.starts_at),
          ends_at: iso(m.ends_at),
          published_at: iso(m.published_at),
          created_at: iso(m.created_at),
          updated_at: iso(m.updated_at),
          open_slots: list.reduce((sum, r) => sum + r.open_slots, 0),
          roles: list,
        };
      }),
      next_cursor: rows.length > PAGE ? 'x' : null,
    };
  },
);

/** The org's assignment list (assignments.repository.ts): the org's missions in start order, each one's assignments. */
app.get<{ Querystring: { org_id: string } }>('/assignments', async (request) => {
  const rows = await query(
    'assignments_page',
    `SELECT a.id, a.org_id, a.mission_id, a.role_id, a.user_id, a.status, a.note, a.reason, a.invited_by,
            a.responded_at, a.created_at, a.updated_at, r.name AS role_name, m.title AS mission_title,
            m.starts_at AS mission_starts_at, m.ends_at AS mission_ends_at, m.location AS mission_location
       FROM missions m CROSS JOIN assignments a JOIN mission_roles r ON r.id = a.role_id
      WHERE a.mission_id = m.id AND m.org_id = $1
      ORDER BY m.starts_at, a.id LIMIT ${PAGE + 1}`,
    [request.query.org_id],
  );
  return {
    items: rows.slice(0, PAGE).map((r) => ({
      id: r.id,
      org_id: r.org_id,
      mission_id: r.mission_id,
      role_id: r.role_id,
      user_id: r.user_id,
      status: r.status,
      note: r.note,
      reason: r.reason,
      invited_by: r.invited_by,
      responded_at: iso(r.responded_at),
      created_at: iso(r.created_at),
      updated_at: iso(r.updated_at),
      role_name: r.role_name,
      mission: {
        id: r.mission_id,
        title: r.mission_title,
        starts_at: iso(r.mission_starts_at),
        ends_at: iso(r.mission_ends_at),
        location: r.mission_location,
      },
    })),
    next_cursor: rows.length > PAGE ? 'x' : null,
  };
});

/** The users list's statements (users.repository.ts): a page by name, then the page's skills and tags. */
app.get<{ Querystring: { org_id: string } }>('/users', async (request) => {
  const { org_id } = request.query;
  const rows = await query(
    'users_page',
    `SELECT * FROM users WHERE org_id = $1 ORDER BY last_name, first_name, id LIMIT ${PAGE + 1}`,
    [org_id],
  );
  const page = rows.slice(0, PAGE);
  const ids = page.map((r) => r.id);
  while (ids.length < PAGE) ids.push(ids[0] ?? '00000000-0000-4000-8000-000000000000');
  const [skills, tags] = await Promise.all([
    query(
      'users_skills',
      `SELECT user_id, name, level FROM user_skills WHERE org_id = $1 AND user_id IN (${inList(2, PAGE)})`,
      [org_id, ...ids],
    ),
    query(
      'users_tags',
      `SELECT user_id, tag FROM user_tags WHERE org_id = $1 AND user_id IN (${inList(2, PAGE)})`,
      [org_id, ...ids],
    ),
  ]);
  const skillsOf = new Map<unknown, Row[]>();
  for (const s of skills) skillsOf.set(s.user_id, [...(skillsOf.get(s.user_id) ?? []), s]);
  const tagsOf = new Map<unknown, string[]>();
  for (const t of tags) tagsOf.set(t.user_id, [...(tagsOf.get(t.user_id) ?? []), String(t.tag)]);
  return {
    items: page.map((u) => ({
      ...u,
      active: u.active === true || u.active === 1,
      created_at: iso(u.created_at),
      updated_at: iso(u.updated_at),
      skills: (skillsOf.get(u.id) ?? [])
        .map(({ name, level }) => ({ name, level }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      tags: (tagsOf.get(u.id) ?? []).sort(),
    })),
    next_cursor: rows.length > PAGE ? 'x' : null,
  };
});

const WEEK = 7 * 86_400_000;
const LONGEST_MISSION = 31 * 86_400_000;
const isoAt = (ms: number) => new Date(ms).toISOString();
const hoursExpression =
  dialect === 'sqlite'
    ? 'sum((julianday(m.ends_at) - julianday(m.starts_at)) * 24.0)'
    : 'sum(extract(epoch from (m.ends_at - m.starts_at))) / 3600.0';

/** The same three busy-time statements the API runs (staffing/busy.repository.ts), for the given people. */
async function busyTime(orgId: string, userIds: string[], from: number, to: number) {
  const [assignments, unavailable, elsewhere] = await Promise.all([
    query(
      `busy_assignments_${userIds.length}`,
      `SELECT a.id, a.user_id, a.mission_id, a.status, m.title, m.starts_at, m.ends_at FROM assignments a
       JOIN missions m ON m.id = a.mission_id
       WHERE a.status IN ('INVITED', 'ACCEPTED') AND m.org_id = $1 AND m.starts_at < $2 AND m.starts_at > $3
         AND m.ends_at > $4 AND a.user_id IN (${inList(5, userIds.length)})`,
      [orgId, isoAt(to), isoAt(from - LONGEST_MISSION), isoAt(from), ...userIds],
    ),
    query(
      `busy_unavailable_${userIds.length}`,
      `SELECT user_id, starts_at, ends_at FROM availability
       WHERE org_id = $1 AND kind = 'UNAVAILABLE' AND starts_at < $2 AND ends_at > $3 AND user_id IN (${inList(4, userIds.length)})`,
      [orgId, isoAt(to), isoAt(from), ...userIds],
    ),
    query(
      `busy_elsewhere_${userIds.length}`,
      `SELECT u.id AS user_id, m.starts_at, m.ends_at FROM users u
       JOIN users other ON other.account_id = u.account_id AND other.org_id <> u.org_id
       JOIN assignments a ON a.user_id = other.id JOIN missions m ON m.id = a.mission_id
       WHERE u.org_id = $1 AND a.status = 'ACCEPTED' AND m.starts_at < $2 AND m.ends_at > $3
         AND u.id IN (${inList(4, userIds.length)})`,
      [orgId, isoAt(to), isoAt(from), ...userIds],
    ),
  ]);
  return { assignments, unavailable, elsewhere };
}

const t = (v: unknown) => Date.parse(String(iso(v)));

/**
 * The conflicts endpoint's answer for one person: the same statements (user, rule settings, the three busy-time
 * ones), judged into the same items by the endpoint's own pure function (staffing/conflict-items.ts, no database
 * or framework in it), so the ratio measures what the API adds around that work, not a lighter computation.
 */
app.get<{ Querystring: { org_id: string; user_id: string; from: string; to: string } }>(
  '/conflicts',
  async (request) => {
    const { org_id, user_id } = request.query;
    const from = Date.parse(request.query.from);
    const to = Date.parse(request.query.to);
    const [[user], settingRows, busy] = await Promise.all([
      query('conflicts_user', 'SELECT * FROM users WHERE org_id = $1 AND id = $2', [org_id, user_id]),
      query('rule_settings', 'SELECT rule, value, mode FROM org_rule_settings WHERE org_id = $1', [org_id]),
      busyTime(org_id, [user_id], from - WEEK, to + WEEK),
    ]);
    const settings: RuleSettings = structuredClone(DEFAULT_RULES);
    for (const row of settingRows) {
      const rule = row.rule as keyof RuleSettings;
      if (rule in settings)
        settings[rule] = {
          value: settings[rule].value === null ? null : Number(row.value),
          mode: row.mode as RuleMode,
        };
    }
    const interval = (row: Row) => ({ start: t(row.starts_at), end: t(row.ends_at) });
    const context: BusyContext = {
      assignments: busy.assignments.map((a) => ({
        ...interval(a),
        assignmentId: String(a.id),
        missionId: String(a.mission_id),
        title: String(a.title),
        status: a.status as 'INVITED' | 'ACCEPTED',
      })),
      unavailable: busy.unavailable.map(interval),
      elsewhere: busy.elsewhere.map(interval),
    };
    const names = {
      id: String(user!.id),
      first_name: String(user!.first_name),
      last_name: String(user!.last_name),
    };
    const items = personConflictItems(context, names, { from, to }, settings, PAGE);
    return { items: items.slice(0, PAGE), next_cursor: items.length > PAGE ? 'x' : null };
  },
);

/** The suggestions endpoint's statements: mission and role, candidates, settings, monthly hours, availability, busy time of the top 40. */
app.get<{ Querystring: { org_id: string; mission_id: string; role_id: string } }>(
  '/suggestions',
  async (request) => {
    const { org_id, mission_id, role_id } = request.query;
    const [mission] = await query(
      'suggest_mission',
      `SELECT m.id, m.starts_at, m.ends_at, r.id AS role_id, r.skill, r.min_level FROM missions m
     LEFT JOIN mission_roles r ON r.mission_id = m.id AND r.id = $3 AND r.org_id = $1
     WHERE m.org_id = $1 AND m.id = $2`,
      [org_id, mission_id, role_id],
    );
    const starts = t(mission!.starts_at);
    const ends = t(mission!.ends_at);
    const month = new Date(starts);
    const monthFrom = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
    const monthTo = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
    const [candidates, , hours, available] = await Promise.all([
      query(
        'suggest_candidates',
        `SELECT u.id, u.first_name, u.last_name, s.level FROM users u
       LEFT JOIN user_skills s ON s.user_id = u.id AND s.org_id = $1 AND s.name = $2
       WHERE u.org_id = $1 AND u.active = ${TRUE} AND u.id NOT IN (
         SELECT a.user_id FROM mission_roles r JOIN assignments a ON a.role_id = r.id
         WHERE r.mission_id = $3 AND a.status IN ('INVITED', 'ACCEPTED'))`,
        [org_id, mission!.skill, mission_id],
      ),
      query('rule_settings', 'SELECT rule, value, mode FROM org_rule_settings WHERE org_id = $1', [org_id]),
      query(
        'suggest_hours',
        `SELECT a.user_id, ${hoursExpression} AS hours FROM missions m
       JOIN mission_roles r ON r.mission_id = m.id JOIN assignments a ON a.role_id = r.id
       WHERE m.org_id = $1 AND a.status = 'ACCEPTED' AND m.starts_at >= $2 AND m.starts_at < $3 GROUP BY a.user_id`,
        [org_id, isoAt(monthFrom), isoAt(monthTo)],
      ),
      query(
        'suggest_available',
        `SELECT DISTINCT user_id FROM availability
       WHERE org_id = $1 AND kind = 'AVAILABLE' AND starts_at < $2 AND ends_at > $3`,
        [org_id, isoAt(ends), isoAt(starts)],
      ),
    ]);
    const hoursOf = new Map(hours.map((h) => [h.user_id, Number(h.hours)]));
    const availableIds = new Set(available.map((a) => a.user_id));
    candidates.sort(
      (a, b) =>
        Number(b.level ?? 0) - Number(a.level ?? 0) ||
        Number(availableIds.has(b.id)) - Number(availableIds.has(a.id)) ||
        (hoursOf.get(a.id) ?? 0) - (hoursOf.get(b.id) ?? 0),
    );
    const top = candidates.slice(0, 40);
    await busyTime(
      org_id,
      top.map((c) => String(c.id)),
      starts - WEEK,
      ends + WEEK,
    );
    return { items: top.slice(0, 20), next_cursor: null };
  },
);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
