import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crewInProcess } from '../../helpers/cli.js';
import { DIALECTS, migratedDatabase, type TestDatabase } from '../../helpers/database.js';

describe.each(DIALECTS)('bootstrap CLI on %s', (dialect) => {
  let test: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    test = await migratedDatabase(dialect);
    const url =
      test.config.dialect === 'sqlite' ? `sqlite:///${test.config.filename}` : test.config.connectionString;
    env = { DATABASE_URL: url };
  });
  afterAll(() => test.drop());

  const crew = async (...args: string[]) => {
    const { code, stdout, stderr } = await crewInProcess(args, env);
    const out = code === 0 ? (JSON.parse(stdout) as Record<string, string>) : {};
    return { code, out, err: stderr };
  };

  it('creates an org with its owner, adds members, sets passwords; every step audited', async () => {
    const created = await crew(
      'org',
      'create',
      '--name',
      'Le Grand Rex',
      '--owner-email',
      'Owner@Rex.example',
      '--owner-password',
      'Rex-owner-passphrase',
    );
    expect(created).toMatchObject({
      code: 0,
      out: { org_id: expect.any(String), account_id: expect.any(String) },
    });
    const { db } = test.database;
    expect(
      await db
        .selectFrom('orgs')
        .select(['name', 'timezone'])
        .where('id', '=', created.out.org_id!)
        .executeTakeFirst(),
    ).toEqual({ name: 'Le Grand Rex', timezone: 'Europe/Paris' });
    expect(
      await db
        .selectFrom('accounts')
        .select('email')
        .where('id', '=', created.out.account_id!)
        .executeTakeFirst(),
    ).toEqual({ email: 'owner@rex.example' });

    const added = await crew(
      'member',
      'add',
      '--org',
      created.out.org_id!,
      '--email',
      'tech@rex.example',
      '--role',
      'tech',
      '--password',
      'Tech-passphrase-1',
    );
    expect(added).toMatchObject({
      code: 0,
      out: { account_id: expect.any(String), membership_id: expect.any(String) },
    });
    const membership = await db
      .selectFrom('org_memberships')
      .select(['role', 'account_id'])
      .where('id', '=', added.out.membership_id!)
      .executeTakeFirst();
    expect(membership).toEqual({ role: 'tech', account_id: added.out.account_id });

    expect(
      await crew(
        'member',
        'add',
        '--org',
        created.out.org_id!,
        '--email',
        'tech@rex.example',
        '--role',
        'admin',
      ),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/already a member/) });
    expect(
      await crew('member', 'add', '--org', created.out.org_id!, '--email', 'x@rex.example', '--role', 'boss'),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/--role must be one of/) });
    expect(
      await crew('member', 'add', '--org', crypto.randomUUID(), '--email', 'x@rex.example', '--role', 'tech'),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/not found/) });

    const set = await crew(
      'account',
      'set-password',
      '--email',
      'tech@rex.example',
      '--password',
      'Another-passphrase-2',
    );
    expect(set).toMatchObject({ code: 0, out: { account_id: added.out.account_id } });
    expect(
      await crew('account', 'set-password', '--email', 'tech@rex.example', '--password', 'password'),
    ).toMatchObject({ code: 2 });

    const actions = await db
      .selectFrom('audit_log')
      .select('action')
      .where('request_id', 'like', 'cli-%')
      .execute();
    expect(actions.map((a) => a.action).sort()).toEqual([
      'account.create',
      'account.create',
      'auth.password_set',
      'member.add',
      'member.add',
      'org.create',
    ]);
  });
});
