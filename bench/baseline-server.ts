/**
 * The bare baseline of `npm run bench`: a minimal Fastify server answering the same reads with the same SQL
 * through reused prepared statements (better-sqlite3 statements / pg named queries), with no auth, no
 * validation, no schema serialisation. Started as a child process by bench/run.ts:
 *   BASELINE_DIALECT=sqlite|postgres BASELINE_DB=<file or url> PORT=… node --import tsx bench/baseline-server.ts
 */
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

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
      statement = sqlite.prepare(text.replace(/\$\d+/g, '?'));
      statements.set(name, statement);
    }
    return statement.all(...values) as Row[];
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

/** A user's active assignments and declared unavailability in a window, overlaps found in one sweep. */
app.get<{ Querystring: { org_id: string; user_id: string; from: string; to: string } }>(
  '/conflicts',
  async (request) => {
    const { org_id, user_id, from, to } = request.query;
    const assignments = await query(
      'conflicts_assignments',
      `SELECT a.id, a.status, a.mission_id, m.starts_at, m.ends_at FROM assignments a
       JOIN missions m ON m.id = a.mission_id
       WHERE a.org_id = $1 AND a.user_id = $2 AND a.status IN ('INVITED', 'ACCEPTED') AND m.ends_at > $3
         AND m.starts_at < $4
       ORDER BY m.starts_at, a.id`,
      [org_id, user_id, from, to],
    );
    const unavailable = await query(
      'conflicts_unavailable',
      `SELECT id, starts_at, ends_at FROM availability
       WHERE org_id = $1 AND user_id = $2 AND kind = 'UNAVAILABLE' AND ends_at > $3 AND starts_at < $4`,
      [org_id, user_id, from, to],
    );
    const items: Row[] = [];
    const t = (v: unknown) => Date.parse(String(iso(v)));
    for (let i = 0; i < assignments.length; i++) {
      const a = assignments[i]!;
      for (
        let j = i + 1;
        j < assignments.length && t(assignments[j]!.starts_at) < t(a.ends_at) + 11 * 3.6e6;
        j++
      ) {
        const b = assignments[j]!;
        items.push({
          rule: t(b.starts_at) < t(a.ends_at) ? 'overlap' : 'min_rest',
          assignment_id: a.id,
          other_assignment_id: b.id,
        });
      }
      for (const u of unavailable) {
        if (t(u.starts_at) < t(a.ends_at) && t(a.starts_at) < t(u.ends_at))
          items.push({ rule: 'unavailable', assignment_id: a.id });
      }
    }
    return { items };
  },
);

/** Active users with the role's skill, without an ACCEPTED mission overlapping it, best level first. */
app.get<{
  Querystring: { org_id: string; skill: string; min_level: string; starts_at: string; ends_at: string };
}>('/suggestions', async (request) => {
  const { org_id, skill, min_level, starts_at, ends_at } = request.query;
  const items = await query(
    'suggestions',
    `SELECT u.id, u.first_name, u.last_name, s.level FROM users u
     JOIN user_skills s ON s.user_id = u.id AND s.name = $2 AND s.level >= $3
     WHERE u.org_id = $1 AND u.active = ${TRUE} AND NOT EXISTS (
       SELECT 1 FROM assignments a JOIN missions m ON m.id = a.mission_id
       WHERE a.user_id = u.id AND a.status = 'ACCEPTED' AND m.starts_at < $5 AND m.ends_at > $4)
     ORDER BY s.level DESC, u.last_name, u.id LIMIT 20`,
    [org_id, skill, Number(min_level), starts_at, ends_at],
  );
  return { items };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
