import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { PayBasis } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { assertSeesAmounts } from '../pay/pay-access.js';
import { loadPaySettings } from '../pay/pay-settings.repository.js';
import { targetOf } from '../pay/rate-resolution.js';
import * as repo from './rates.repository.js';

export interface ProfileInput {
  name: string;
  basis: PayBasis;
  base_amount_cents: number;
  night_premium_pct?: number | null;
  sunday_premium_pct?: number | null;
  holiday_premium_pct?: number | null;
  overtime_premium_pct?: number | null;
  overtime_weekly_threshold_minutes?: number | null;
}

const PREMIUM_FIELDS = [
  'night_premium_pct',
  'sunday_premium_pct',
  'holiday_premium_pct',
  'overtime_premium_pct',
  'overtime_weekly_threshold_minutes',
] as const;

async function readable(db: Db, scope: OrgScope) {
  const settings = await loadPaySettings(db, scope.orgId);
  assertSeesAmounts(scope, settings);
  return settings;
}

export function toProfile(row: repo.RateProfileRow, currency: string) {
  return { ...row, currency };
}

function checkOvertime(p: Pick<ProfileInput, 'overtime_premium_pct' | 'overtime_weekly_threshold_minutes'>) {
  const pct = p.overtime_premium_pct ?? null;
  const threshold = p.overtime_weekly_threshold_minutes ?? null;
  if ((pct === null) !== (threshold === null)) {
    throw new AppError(
      'validation_failed',
      'An overtime premium needs its weekly threshold, and the other way round',
      {
        errors: [
          { location: 'body', path: '/overtime_weekly_threshold_minutes', message: 'set both or neither' },
        ],
      },
    );
  }
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error))
    throw new AppError('name_taken', 'A rate profile of the org already has this name');
  throw error;
}

export async function listRateProfiles(db: Db, scope: OrgScope) {
  const settings = await readable(db, scope);
  const rows = await repo.listProfiles(db, scope.orgId);
  return { items: rows.map((r) => toProfile(r, settings.currency)), next_cursor: null };
}

export async function getRateProfile(db: Db, scope: OrgScope, id: string) {
  const settings = await readable(db, scope);
  const row = await repo.findProfile(db, scope.orgId, id);
  if (!row) throw notFound('Rate profile');
  return toProfile(row, settings.currency);
}

export async function createRateProfile(db: Db, scope: OrgScope, input: ProfileInput) {
  checkOvertime(input);
  const now = isoNow();
  const row: repo.RateProfileRow = {
    id: newId(),
    org_id: scope.orgId,
    name: input.name.trim(),
    basis: input.basis,
    base_amount_cents: input.base_amount_cents,
    night_premium_pct: input.night_premium_pct ?? null,
    sunday_premium_pct: input.sunday_premium_pct ?? null,
    holiday_premium_pct: input.holiday_premium_pct ?? null,
    overtime_premium_pct: input.overtime_premium_pct ?? null,
    overtime_weekly_threshold_minutes: input.overtime_weekly_threshold_minutes ?? null,
    created_at: now,
    updated_at: now,
  };
  const settings = await loadPaySettings(db, scope.orgId);
  return db.transaction().execute(async (tx) => {
    await repo.insertProfile(tx, row).catch(nameTaken);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'rate_profile.create',
      entityType: 'rate_profile',
      entityId: row.id,
      after: row,
    });
    return toProfile(row, settings.currency);
  });
}

export async function updateRateProfile(db: Db, scope: OrgScope, id: string, patch: Partial<ProfileInput>) {
  const settings = await loadPaySettings(db, scope.orgId);
  return db.transaction().execute(async (tx) => {
    const before = await repo.findProfile(tx, scope.orgId, id);
    if (!before) throw notFound('Rate profile');
    const change: Partial<repo.RateProfileRow> = {
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.basis !== undefined ? { basis: patch.basis } : {}),
      ...(patch.base_amount_cents !== undefined ? { base_amount_cents: patch.base_amount_cents } : {}),
      updated_at: isoNow(),
    };
    for (const field of PREMIUM_FIELDS) if (patch[field] !== undefined) change[field] = patch[field];
    const after = { ...before, ...change };
    checkOvertime(after);
    await repo.updateProfile(tx, scope.orgId, id, change).catch(nameTaken);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'rate_profile.update',
      entityType: 'rate_profile',
      entityId: id,
      before,
      after,
    });
    return toProfile(after, settings.currency);
  });
}

export async function deleteRateProfile(db: Db, scope: OrgScope, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await repo.findProfile(tx, scope.orgId, id);
    if (!before) throw notFound('Rate profile');
    await repo.deleteProfile(tx, scope.orgId, id);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'rate_profile.delete',
      entityType: 'rate_profile',
      entityId: id,
      before,
    });
  });
}

export interface BindingInput {
  profile_id: string;
  user_id?: string | null;
  role_name?: string | null;
  mission_id?: string | null;
}

const toBinding = (row: repo.RateBindingRow) => ({ ...row, target: targetOf(row) });

export async function listRateBindings(db: Db, scope: OrgScope, userId?: string) {
  await readable(db, scope);
  return { items: (await repo.listBindings(db, scope.orgId, userId)).map(toBinding), next_cursor: null };
}

/** Binds a profile to a person, a role name or a mission (for one person or everyone); one binding per target. */
export async function createRateBinding(db: Db, scope: OrgScope, input: BindingInput) {
  const target = {
    user_id: input.user_id ?? null,
    role_name: input.role_name?.trim() || null,
    mission_id: input.mission_id ?? null,
  };
  if (!target.user_id && !target.role_name && !target.mission_id) {
    throw new AppError('validation_failed', 'Bind the profile to a user, a role name or a mission', {
      errors: [{ location: 'body', path: '/user_id', message: 'a target is required' }],
    });
  }
  if (target.role_name && target.mission_id) {
    throw new AppError('validation_failed', 'A binding targets a role name or a mission, not both', {
      errors: [{ location: 'body', path: '/mission_id', message: 'role_name and mission_id are exclusive' }],
    });
  }
  return db.transaction().execute(async (tx) => {
    if (!(await repo.findProfile(tx, scope.orgId, input.profile_id))) throw notFound('Rate profile');
    if (target.user_id && !(await repo.existsInOrg(tx, scope.orgId, 'users', target.user_id)))
      throw notFound('User');
    if (target.mission_id && !(await repo.existsInOrg(tx, scope.orgId, 'missions', target.mission_id))) {
      throw notFound('Mission');
    }
    if (await repo.findBindingByTarget(tx, scope.orgId, target)) {
      throw new AppError('already_exists', 'A rate binding already exists for this target: delete it first');
    }
    const row = {
      id: newId(),
      org_id: scope.orgId,
      profile_id: input.profile_id,
      ...target,
      created_at: isoNow(),
    };
    await repo.insertBinding(tx, row);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'rate_binding.create',
      entityType: 'rate_binding',
      entityId: row.id,
      after: row,
    });
    return toBinding(row);
  });
}

export async function deleteRateBinding(db: Db, scope: OrgScope, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const before = await repo.findBinding(tx, scope.orgId, id);
    if (!before) throw notFound('Rate binding');
    await repo.deleteBinding(tx, scope.orgId, id);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'rate_binding.delete',
      entityType: 'rate_binding',
      entityId: id,
      before,
    });
  });
}
