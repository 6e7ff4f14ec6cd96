import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/database.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';
import { createAccount, createOrgFixture, PASSWORD, uniqueEmail } from '../helpers/factories.js';
import { invitationWithLink } from '../modules/pages/fixtures.js';
import { openPhone, useBrowserServer } from './browser.js';

const NEW_PASSWORD = 'Coulisse-Jardin-Cour-77';

/** The crew's pages in a real Chromium at phone width, JavaScript off, against a real listening server. */
describe.each(DIALECTS)('crew pages in Chromium on %s', (dialect) => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(() => smtp.close());
  const server = useBrowserServer(dialect, () => ({ SMTP_URL: smtp.url }));
  /** What the dispatcher sends (past the invitation coalescing window), and the first link to `path` in it. */
  const mailedLink = async (email: string, path: string) => {
    await server.app.notifications.tick({ now: new Date(Date.now() + 3 * 60_000) });
    const [mail] = await smtp.waitForMails(email);
    const escaped = `${server.baseUrl}${path}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const found = new RegExp(`${escaped}[\\w\\-?=&%]+`).exec(mail!.text);
    if (!found) throw new Error(`no ${path} link in the mail: ${mail!.text}`);
    return found[0];
  };
  const api = async (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('opens the link of the sent invitation mail, accepts, sees the confirmation; the API shows ACCEPTED', async () => {
    const email = uniqueEmail('alex');
    const { org, assignmentId } = await invitationWithLink(server.app, { email, link: false });
    const url = await mailedLink(email, '/invitations/');
    expect(url).toMatch(/\/invitations\/[\w-]{43}$/);
    const phone = await openPhone(server, dialect);
    const response = await phone.page.goto(url);
    expect(response?.status()).toBe(200);
    expect(await phone.page.getAttribute('html', 'lang')).toBe('fr');
    await expect(phone.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Get-in Zénith');
    await expect(
      phone.page.getByText('lundi 3 mars 2031, 09:00–17:00 (UTC+1, Europe/Paris)').count(),
    ).resolves.toBe(1);
    await expect(phone.page.getByText('Camille Martin').count()).resolves.toBe(1);
    // The stylesheet loaded under the CSP: the accept button is styled (green), nothing was blocked.
    const background = await phone.page.evaluate<string>(
      "getComputedStyle(document.querySelector('button.primary')).backgroundColor",
    );
    expect(background).toBe('rgb(29, 107, 53)');
    // Fits a phone: no horizontal scrolling.
    const width = await phone.page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await phone.shot('invitation');

    await phone.page.getByRole('button', { name: 'Accepter' }).click();
    await phone.page.waitForURL(/answer=accepted/);
    await expect(phone.page.getByRole('status').textContent()).resolves.toBe(
      'Merci : votre acceptation est enregistrée.',
    );
    await expect(phone.page.getByText('Vous avez accepté. À bientôt !').count()).resolves.toBe(1);
    await expect(phone.page.getByRole('button', { name: 'Accepter' }).count()).resolves.toBe(0);
    await phone.shot('invitation-accepted');
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    const assignment = await api(`/api/v1/orgs/${org.orgId}/assignments/${assignmentId}`, {
      headers: org.manager.headers,
    });
    expect(assignment.status).toBe(200);
    expect(assignment.body).toMatchObject({ id: assignmentId, status: 'ACCEPTED' });
  });

  it('declines with a reason, in English', async () => {
    const { org, assignmentId, url } = await invitationWithLink(server.app);
    const phone = await openPhone(server, dialect, 'en-GB');
    await phone.page.goto(url);
    expect(await phone.page.getAttribute('html', 'lang')).toBe('en');
    await phone.page.getByLabel('Reason (optional)').fill('On tour that week');
    await phone.shot('invitation-decline');
    await phone.page.getByRole('button', { name: 'Decline' }).click();
    await phone.page.waitForURL(/answer=declined/);
    await expect(phone.page.getByText('You declined this mission.').count()).resolves.toBe(1);
    await phone.shot('invitation-declined');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
    const assignment = await api(`/api/v1/orgs/${org.orgId}/assignments/${assignmentId}`, {
      headers: org.manager.headers,
    });
    expect(assignment.body).toMatchObject({ status: 'DECLINED', reason: 'On tour that week' });
  });

  it('shows a clear page for an expired link', async () => {
    const { assignmentId, url } = await invitationWithLink(server.app);
    await server.app.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('assignment_id', '=', assignmentId)
      .execute();
    const phone = await openPhone(server, dialect);
    const response = await phone.page.goto(url);
    expect(response?.status()).toBe(404);
    await expect(phone.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Ce lien ne fonctionne plus',
    );
    await phone.shot('invitation-expired');
    await phone.context.close();
  });

  it('joins an org with a new password, then logs in through the API', async () => {
    const org = await createOrgFixture(server.app);
    const email = uniqueEmail('join');
    const invited = await api(`/api/v1/orgs/${org.orgId}/members`, {
      method: 'POST',
      headers: org.admin.headers,
      body: { email, role: 'tech' },
    });
    expect(invited.status).toBe(201);
    const phone = await openPhone(server, dialect);
    await phone.page.goto(await mailedLink(email, '/join?token='));
    await phone.page.getByLabel('Mot de passe', { exact: true }).fill(NEW_PASSWORD);
    await phone.page.getByLabel('Mot de passe (encore)').fill(NEW_PASSWORD);
    await phone.shot('join');
    await phone.page.getByRole('button', { name: 'Rejoindre' }).click();
    await expect(
      phone.page.getByText(`Vous êtes maintenant membre de ${org.name}.`, { exact: false }).count(),
    ).resolves.toBe(1);
    await phone.shot('join-done');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
    const login = await api('/api/v1/auth/login', {
      method: 'POST',
      body: { email, password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.org_id).toBe(org.orgId);
  });

  it('resets a password from the link', async () => {
    const account = await createAccount(server.app);
    const requested = await api('/api/v1/auth/reset/request', {
      method: 'POST',
      body: { email: account.email },
    });
    expect(requested.status).toBe(200);
    const phone = await openPhone(server, dialect, 'en-GB');
    await phone.page.goto(await mailedLink(account.email, '/reset-password?token='));
    await phone.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await phone.page.getByLabel('New password again').fill(NEW_PASSWORD);
    await phone.shot('reset');
    await phone.page.getByRole('button', { name: 'Save the new password' }).click();
    await expect(phone.page.getByText('Your password is changed.', { exact: false }).count()).resolves.toBe(
      1,
    );
    await phone.shot('reset-done');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
    expect(
      (
        await api('/api/v1/auth/login', {
          method: 'POST',
          body: { email: account.email, password: NEW_PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api('/api/v1/auth/login', {
          method: 'POST',
          body: { email: account.email, password: PASSWORD },
        })
      ).status,
    ).toBe(401);
  });
});
