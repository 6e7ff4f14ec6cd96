import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app.js';
import { DIALECTS } from '../../helpers/database.js';
import { createOrgFixture } from '../../helpers/factories.js';
import { staffingKit } from './fixtures.js';

describe.each(DIALECTS)('staffing smoke on %s', (dialect) => {
  const ctx = useTestApp(dialect);
  it('invites, accepts, declines, cancels', async () => {
    const org = await createOrgFixture(ctx.app);
    const kit = staffingKit(ctx.app, org);
    const { missionId, roleId } = await kit.mission(8, 16);
    const user = await kit.user();
    const invited = await kit.invite(org.manager.headers, missionId, { user_id: user, role_id: roleId });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json()).toMatchObject({ status: 'INVITED', warnings: [] });
    const accepted = await kit.act(org.manager.headers, invited.json().id, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'ACCEPTED' });
    const cancelled = await kit.act(org.manager.headers, invited.json().id, 'cancel', {
      reason: 'Show moved',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', reason: 'Show moved' });
  });
});
