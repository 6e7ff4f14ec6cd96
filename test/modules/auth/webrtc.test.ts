import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { createOrgFixture } from '../../helpers/factories.js';

describe('WebRTC config with a TURN secret', () => {
  const ctx = useTestApp('sqlite', {
    WEBRTC_STUN_SERVERS: 'stun:stun1.example.com:3478,stun:stun2.example.com:3478',
    WEBRTC_TURN_SERVERS: 'turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349',
    WEBRTC_TURN_SECRET: 'coturn-static-auth-secret',
    WEBRTC_TURN_USERNAME: 'ignored-when-secret',
  });

  it('hands out short-lived coturn REST credentials', async () => {
    const org = await createOrgFixture(ctx.app);
    const before = Math.floor(Date.now() / 1000);
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/webrtc/config',
      headers: org.tech.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      ice_servers: [
        { urls: ['stun:stun1.example.com:3478', 'stun:stun2.example.com:3478'] },
        {
          urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
          username: expect.stringMatching(new RegExp(`^\\d+:${org.tech.accountId}$`)),
          credential: expect.any(String),
        },
      ],
      ttl_seconds: 43200,
    });
    const { username, credential } = body.ice_servers[1];
    const expiry = Number(username.split(':')[0]);
    expect(expiry).toBeGreaterThanOrEqual(before + 43200);
    expect(expiry).toBeLessThanOrEqual(before + 43202);
    expect(credential).toBe(
      createHmac('sha1', 'coturn-static-auth-secret').update(username).digest('base64'),
    );
  });

  it('401 without a token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/webrtc/config' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthorized' });
  });
});

describe('WebRTC config with static TURN credentials', () => {
  const ctx = useTestApp('sqlite', {
    WEBRTC_TURN_SERVERS: 'turn:turn.example.com:3478',
    WEBRTC_TURN_USERNAME: 'crew',
    WEBRTC_TURN_PASSWORD: 's3cret',
  });
  it('hands out the static pair and no TTL', async () => {
    const org = await createOrgFixture(ctx.app);
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/webrtc/config',
      headers: org.tech.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ice_servers: [{ urls: ['turn:turn.example.com:3478'], username: 'crew', credential: 's3cret' }],
    });
  });
});
