import type { OrgScope } from '../../platform/auth/org-scope.js';
import { hasRole } from '../../platform/auth/roles.js';
import { AppError } from '../../platform/errors.js';
import type { PaySettings } from './pay-settings.repository.js';

/**
 * Who sees money (amounts and rates): admins and owners always; managers when the org's setting
 * `managers_see_amounts` says so; techs never, not even their own (pay slips come from the payroll office).
 */
export function seesAmounts(scope: OrgScope, settings: PaySettings): boolean {
  if (scope.via === 'cli') return true;
  if (hasRole(scope.role, 'admin')) return true;
  return settings.managers_see_amounts && hasRole(scope.role, 'manager');
}

export function assertSeesAmounts(scope: OrgScope, settings: PaySettings): void {
  if (!seesAmounts(scope, settings)) {
    throw new AppError(
      'forbidden',
      'Rates and amounts are visible to admins and owners, and to managers only when the org allows it',
    );
  }
}

export const minuteToClock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

export const clockToMinute = (clock: string) => {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 60 + m;
};
