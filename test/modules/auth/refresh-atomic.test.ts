import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createAccount } from '../../helpers/factories.js';
import { loginAs, refreshCookieOf, refreshWith } from './helpers.js';

describe.each(DIALECTS)('refresh is one transaction, on %s', (dialect) => {
  const ctx = useTestApp(dialect);

  /** Makes the database refuse the successor token of one session, as a fault between two statements would. */
  async function failSuccessorsOf(sessionId: string) {
    const db = ctx.app.database.db;
    if (dialect === 'sqlite') {
      await sql
        .raw(
          `CREATE TRIGGER fail_successor BEFORE INSERT ON refresh_tokens WHEN NEW.session_id = '${sessionId}' ` +
            `BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
        )
        .execute(db);
      return () => sql`DROP TRIGGER fail_successor`.execute(db);
    }
    await sql
      .raw(
        `CREATE FUNCTION fail_successor() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
          `IF NEW.session_id = '${sessionId}' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$; ` +
          `CREATE TRIGGER fail_successor BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION fail_successor()`,
      )
      .execute(db);
    return () =>
      sql`DROP TRIGGER fail_successor ON refresh_tokens; DROP FUNCTION fail_successor()`.execute(db);
  }

  it('a failure while storing the successor leaves the presented token valid', async () => {
    const account = await createAccount(ctx.app);
    const session = await loginAs(ctx, account.email);
    const row = await ctx.app.database.db
      .selectFrom('auth_sessions')
      .select('id')
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow();

    const restore = await failSuccessorsOf(row.id);
    const failed = await refreshWith(ctx, session.refreshToken);
    await restore();
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ code: 'internal_error' });
    expect(refreshCookieOf(failed)).toBeUndefined();

    // Had the claim committed alone, this would be a "concurrent refresh" 409, or a reuse that revokes.
    const retried = await refreshWith(ctx, session.refreshToken);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ token_type: 'bearer' });
    const next = refreshCookieOf(retried)!;
    expect((await refreshWith(ctx, next)).statusCode).toBe(200);
  });
});
