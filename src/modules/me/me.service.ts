import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import type { AssignmentWindow } from '../assignments/assignments.repository.js';
import { listMyAssignmentRows, toMyAssignment } from './me.repository.js';

export type MyAssignmentsInput = Omit<AssignmentWindow, 'cursor'> & { cursor?: string | undefined };

/** The caller's work in every org that linked a user to their account, whatever the token's active org. */
export async function listMyAssignments(db: Db, accountId: string, input: MyAssignmentsInput) {
  if (input.from && input.to && input.to <= input.from) {
    throw new AppError('validation_failed', 'to must be after from', {
      errors: [{ location: 'querystring', path: '/to', message: 'must be after from' }],
    });
  }
  const cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  const rows = await listMyAssignmentRows(db, { accountId, ...input, cursor });
  return toPage(rows, input.limit, (r) => [r.mission_starts_at, r.id], toMyAssignment);
}
