import type { LightMyRequestResponse } from 'fastify';
import type { TestContext } from '../../helpers/app.js';
import { PASSWORD } from '../../helpers/factories.js';

export function refreshCookieOf(res: LightMyRequestResponse): string | undefined {
  return res.cookies.find((c) => c.name === 'refresh_token' && c.value)?.value;
}

export async function loginAs(ctx: TestContext, email: string, extra: object = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: PASSWORD, ...extra },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return {
    accessToken: res.json().access_token as string,
    refreshToken: refreshCookieOf(res)!,
    body: res.json(),
  };
}

export const refreshWith = (ctx: TestContext, token: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { refresh_token: token }, headers });

export const me = (ctx: TestContext, accessToken: string) =>
  ctx.app.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { authorization: `Bearer ${accessToken}` },
  });
