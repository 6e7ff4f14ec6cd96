import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, authOf } from '../../platform/auth/access.js';
import { AppError } from '../../platform/errors.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  ChangePasswordBody,
  LoginBody,
  Me,
  ResetConfirmBody,
  ResetRequestBody,
  ResetRequestResponse,
  StatusOk,
  SwitchOrgBody,
  TokenResponse,
  WebRtcConfig,
} from './auth.schemas.js';
import {
  accountOrgs,
  login,
  logout,
  refresh,
  switchOrg,
  throttleAuth,
  type AuthDeps,
  type IssuedTokens,
} from './auth.service.js';
import { DEVICE_COOKIE, recordLoginFailure, setDeviceCookie, throttleLogin } from './login-throttle.js';
import { changePassword, confirmPasswordReset, requestPasswordReset } from './password.service.js';
import { assertSameSite, clearRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';
import { iceServersFor } from './webrtc.js';

const tags = ['auth'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 429: ProblemSchema };

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps: AuthDeps = {
    db: app.database.db,
    config: app.config,
    tokens: app.tokens,
    limiter: app.limiter,
  };
  const withCookie = (
    reply: Parameters<typeof setRefreshCookie>[0],
    { refreshToken, ...body }: IssuedTokens,
  ) => {
    setRefreshCookie(reply, app.config, refreshToken);
    return body;
  };

  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Log in with email and password',
        description:
          'Returns an access token and sets the refresh cookie. Unknown email, wrong password and deactivated ' +
          'account answer the same 401. Rate limited per client address, per account and address, and, for ' +
          'addresses that already failed on an account under attack, per account (429 with Retry-After; ' +
          'never a lock-out of the owner: docs/security.md). Sets a `login_device` cookie that spares this browser ' +
          'the account-wide refusal next time.',
        body: LoginBody,
        response: { 200: TokenResponse, ...errors },
      },
    },
    async (request, reply) => {
      await throttleLogin(deps, request.ip, request.body.email, request.cookies[DEVICE_COOKIE]);
      const issued = await login(deps, actorOf(request), {
        ...request.body,
        org_id: request.body.org_id ?? undefined,
      }).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'invalid_credentials')
          await recordLoginFailure(deps, request.ip, request.body.email);
        throw error;
      });
      setDeviceCookie(reply, app.config, request.body.email);
      return withCookie(reply, issued);
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Rotate the refresh cookie and get a new access token',
        description:
          'Reads the `refresh_token` cookie, rotates it (the presented token dies) and returns a new access token. ' +
          'A rotated token presented again revokes the whole session (401). Two refreshes racing with one token ' +
          'within 10 s are a browser with several tabs: the loser gets 409 and should retry, the session lives on. ' +
          'Cross-site requests are refused (403).',
        security: [{ refreshCookie: [] }],
        response: { 200: TokenResponse, ...errors, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      assertSameSite(request, app.config);
      try {
        return withCookie(reply, await refresh(deps, actorOf(request), request.cookies[REFRESH_COOKIE]));
      } catch (error) {
        if ((error as { status?: number }).status === 401) clearRefreshCookie(reply, app.config);
        throw error;
      }
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'End the session',
        description:
          'Ends the session of the refresh cookie (or of the bearer token when there is no cookie) and clears the ' +
          'cookie. Access tokens of that session are refused from the next request on. Always 200.',
        security: [{ refreshCookie: [] }, { bearerAuth: [] }],
        response: { 200: StatusOk, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      assertSameSite(request, app.config);
      let sessionId: string | undefined;
      const header = request.headers.authorization;
      if (!request.cookies[REFRESH_COOKIE] && header?.startsWith('Bearer ')) {
        try {
          sessionId = app.tokens.verify(header.slice(7).trim()).sid;
        } catch {
          // an invalid bearer on logout has nothing to end
        }
      }
      await logout(deps, actorOf(request), { refreshToken: request.cookies[REFRESH_COOKIE], sessionId });
      clearRefreshCookie(reply, app.config);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'The logged-in account, its active org and role, and all its orgs',
        response: { 200: Me, 401: ProblemSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { email, orgs } = await accountOrgs(app.sessionCache, app.database.db, auth.accountId);
      return { id: auth.accountId, email, org_id: auth.orgId, role: auth.role, orgs };
    },
  );

  app.post(
    '/auth/switch-org',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Act in another of the account’s orgs',
        description:
          'Returns an access token for the org and rotates the refresh cookie. Cross-site requests are refused.',
        body: SwitchOrgBody,
        response: { 200: TokenResponse, ...errors },
      },
    },
    async (request, reply) => {
      assertSameSite(request, app.config);
      const auth = authOf(request);
      const actor = { ...actorOf(request), accountId: auth.accountId, sessionId: auth.sessionId };
      return withCookie(reply, await switchOrg(deps, actor, request.body.org_id));
    },
  );

  app.post(
    '/auth/reset/request',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Ask for a password reset link',
        description:
          'Always 200, whether or not the email has an account. The link (valid 30 min, single use) goes by email, ' +
          'or to the local outbox without SMTP. In APP_ENV=dev the body also carries `reset_token`. Rate limited.',
        body: ResetRequestBody,
        response: { 200: ResetRequestResponse, 400: ProblemSchema, 429: ProblemSchema },
      },
    },
    async (request) => {
      await throttleAuth(deps, 'reset', request.ip, request.body.email);
      // The link leaves with the notification dispatcher, never from this request.
      const token = await requestPasswordReset(deps, actorOf(request), request.body.email);
      return app.config.appEnv === 'dev' && token
        ? { status: 'ok' as const, reset_token: token }
        : { status: 'ok' as const };
    },
  );

  app.post(
    '/auth/reset/confirm',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Set a new password with a reset token',
        description: 'Every session of the account ends. A bad, expired or used token answers 400.',
        body: ResetConfirmBody,
        response: { 200: StatusOk, 400: ProblemSchema },
      },
    },
    async (request) => {
      await confirmPasswordReset(deps, actorOf(request), request.body.token, request.body.new_password);
      return { status: 'ok' as const };
    },
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'account' },
      schema: {
        tags,
        summary: 'Change the password',
        description:
          'Needs the current password. Every other session of the account ends; this one lives on.',
        body: ChangePasswordBody,
        response: { 200: StatusOk, 400: ProblemSchema, 401: ProblemSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const actor = { ...actorOf(request), accountId: auth.accountId, sessionId: auth.sessionId };
      await changePassword(deps, actor, request.body.current_password, request.body.new_password);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/webrtc/config',
    {
      config: { access: 'account' },
      schema: {
        tags: ['webrtc'],
        summary: 'ICE servers for WebRTC clients',
        description: 'With WEBRTC_TURN_SECRET, TURN credentials are short-lived (coturn REST scheme).',
        response: { 200: WebRtcConfig, 401: ProblemSchema },
      },
    },
    async (request) => iceServersFor(app.config, authOf(request).accountId),
  );
};
