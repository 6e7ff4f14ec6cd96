import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { formTokenOf, invitationWithLink } from './fixtures.js';

const BASE_URL = 'https://crew.example.com';
const SAME_ORIGIN = { origin: BASE_URL, 'sec-fetch-site': 'same-origin' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe.each(DIALECTS)('invitation pages on %s', (dialect) => {
  const ctx = useTestApp(dialect, { APP_ENV: 'dev', PUBLIC_BASE_URL: BASE_URL });
  const page = (path: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'GET', url: path, headers });
  const post = (
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = SAME_ORIGIN,
  ) =>
    ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: form(fields),
    });
  const assignmentOf = async (orgId: string, id: string, headers: Record<string, string>) => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${orgId}/assignments/${id}`,
      headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { status: string; reason: string | null };
  };

  it('shows the mission in the org’s local time and language, with notes, manager contact and strict headers', async () => {
    const { token, url } = await invitationWithLink(ctx.app);
    expect(url).toBe(`${BASE_URL}/invitations/${token}`);
    const res = await page(`/invitations/${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    const html = res.body;
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Get-in Zénith');
    expect(html).toContain('lundi 3 mars 2031, 09:00–17:00 (UTC+1, Europe/Paris)');
    expect(html).toContain('Rigger');
    expect(html).toContain('Lyon');
    expect(html).toContain('Bring gloves &amp; boots &lt;b&gt;not bold&lt;/b&gt;');
    expect(html).toContain('Camille Martin');
    expect(html).toContain('href="tel:+33 6 12 34 56 78"');
    expect(html).toContain('camille@example.com');
    expect(html).toContain('En attente de votre réponse.');
    expect(html).toContain(`action="/invitations/${token}/accept"`);
    expect(html).toContain(`href="/invitations/${token}/mission.ics"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!crew\.example)/);
  });

  it('speaks English on ?lang=en, and with an English browser', async () => {
    const { token } = await invitationWithLink(ctx.app);
    const en = await page(`/invitations/${token}?lang=en`);
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Monday, 3 March 2031, 09:00–17:00');
    expect(en.body).toContain(`action="/invitations/${token}/accept?lang=en"`);
    const browser = await page(`/invitations/${token}`, { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' });
    expect(browser.body).toContain('Waiting for your answer.');
  });

  it('speaks the org’s language setting over the browser’s', async () => {
    const { org, token } = await invitationWithLink(ctx.app);
    const set = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${org.orgId}/notification-settings`,
      headers: org.admin.headers,
      payload: { language: 'en' },
    });
    expect(set.statusCode, set.body).toBe(200);
    const res = await page(`/invitations/${token}`, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('Waiting for your answer.');
    expect((await page(`/invitations/${token}?lang=fr`)).body).toContain('<html lang="fr">');
  });

  it('accepts from the form: 303 to the page, which then says so; the API shows ACCEPTED', async () => {
    const { org, assignmentId, token } = await invitationWithLink(ctx.app);
    const formToken = formTokenOf((await page(`/invitations/${token}`)).body);
    const res = await post(`/invitations/${token}/accept`, { form_token: formToken });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/invitations/${token}?answer=accepted`);
    const after = await page(res.headers.location as string);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Merci : votre acceptation est enregistrée.');
    expect(after.body).toContain('Vous avez accepté. À bientôt !');
    expect(after.body).not.toContain('/accept"');
    expect((await assignmentOf(org.orgId, assignmentId, org.manager.headers)).status).toBe('ACCEPTED');
    // A second post (a double tap) changes nothing and lands on the same page.
    const again = await post(`/invitations/${token}/accept`, { form_token: formToken });
    expect(again.statusCode).toBe(303);
  });

  it('declines with a reason', async () => {
    const { org, assignmentId, token } = await invitationWithLink(ctx.app);
    const formToken = formTokenOf((await page(`/invitations/${token}?lang=en`)).body);
    const res = await post(`/invitations/${token}/decline?lang=en`, {
      form_token: formToken,
      reason: '  On tour  ',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/invitations/${token}?answer=declined&lang=en`);
    const after = await page(res.headers.location as string);
    expect(after.body).toContain('You declined this mission.');
    const assignment = await assignmentOf(org.orgId, assignmentId, org.manager.headers);
    expect(assignment).toMatchObject({ status: 'DECLINED', reason: 'On tour' });
  });

  it('refuses cross-site posts and posts without the page’s form token: 403 page, nothing changes', async () => {
    const { org, assignmentId, token } = await invitationWithLink(ctx.app);
    const formToken = formTokenOf((await page(`/invitations/${token}`)).body);
    const evil = await post(
      `/invitations/${token}/accept`,
      { form_token: formToken },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(evil.body).toContain('This form must be sent from this page.');
    const nullOrigin = await post(
      `/invitations/${token}/accept`,
      { form_token: formToken },
      { origin: 'null' },
    );
    expect(nullOrigin.statusCode).toBe(403);
    const noToken = await post(`/invitations/${token}/accept`, {});
    expect(noToken.statusCode).toBe(403);
    const other = await invitationWithLink(ctx.app, { org });
    const foreign = await post(`/invitations/${other.token}/accept`, { form_token: formToken });
    expect(foreign.statusCode).toBe(403);
    expect((await assignmentOf(org.orgId, assignmentId, org.manager.headers)).status).toBe('INVITED');
  });

  it('shows a clear HTML page for an expired, a revoked and an unknown link', async () => {
    const { org, assignmentId, token } = await invitationWithLink(ctx.app);
    const formToken = formTokenOf((await page(`/invitations/${token}`)).body);
    await ctx.app.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('assignment_id', '=', assignmentId)
      .execute();
    // A dead link names no org: the browser's language decides.
    const expired = await page(`/invitations/${token}`, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(expired.statusCode).toBe(404);
    expect(expired.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(expired.body).toContain('Ce lien ne fonctionne plus');
    // The page was open when the link expired: the answer meets the same clear page.
    const formPost = await post(`/invitations/${token}/accept`, { form_token: formToken });
    expect(formPost.statusCode).toBe(404);
    expect(formPost.body).toContain('This link no longer works');

    const second = await invitationWithLink(ctx.app, { org });
    const revoke = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.orgId}/assignments/${second.assignmentId}/link`,
      headers: org.manager.headers,
    });
    expect(revoke.statusCode).toBe(204);
    const revoked = await page(`/invitations/${second.token}?lang=en`);
    expect(revoked.statusCode).toBe(404);
    expect(revoked.body).toContain('This link no longer works');
    const unknown = await page('/invitations/not-a-real-token-at-all-0000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('<html lang="en">');
    const malformed = await page('/invitations/%3Cscript%3E');
    expect(malformed.statusCode).toBe(404);
    expect(malformed.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('serves the one mission as an ICS file that an independent parser reads back', async () => {
    const { assignmentId, token } = await invitationWithLink(ctx.app);
    const res = await page(`/invitations/${token}/mission.ics`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="mission.ics"');
    const calendar = new ICAL.Component(ICAL.parse(res.body));
    const [vevent] = calendar.getAllSubcomponents('vevent');
    const event = new ICAL.Event(vevent);
    expect(event.uid).toBe(`${assignmentId}@coulisses-crew`);
    expect(event.summary).toBe('Get-in Zénith (Rigger)');
    expect(event.location).toBe('Lyon');
    expect(event.startDate.toJSDate().toISOString()).toBe('2031-03-03T08:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2031-03-03T16:00:00.000Z');
    expect(vevent?.getFirstPropertyValue('status')).toBe('TENTATIVE');
  });

  it('serves its stylesheet from this server', async () => {
    const res = await page('/pages/pages.css');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.body).toContain('.facts');
  });
});
