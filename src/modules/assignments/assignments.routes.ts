import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { toIso } from '../../platform/clock.js';
import { DEFAULT_LIMIT } from '../../platform/http/pagination.js';
import { defaultEmptyBody, OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import {
  Assignment,
  AssignmentPage,
  AssignmentParams,
  AssignmentsQuery,
  AssignmentWithWarnings,
  InviteBody,
  InviteResponse,
  MissionAssignmentsQuery,
  MissionParams,
  ReasonBody,
} from './assignments.schemas.js';
import {
  acceptAssignment,
  cancelAssignment,
  declineAssignment,
  getAssignment,
  inviteToMission,
  listAssignments,
} from './assignments.service.js';

const tags = ['assignments'];
const errors = ProblemResponses;

export const assignmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    '/missions/:mission_id/assignments',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Invite people to a mission',
        description:
          'Creates INVITED assignments, all or none. Each comes back with `warnings`: every rule it meets ' +
          '(overlaps, unavailability, rest, working hours, busy elsewhere), with the severity it would have at ' +
          'accept. A second active assignment of one person on one mission answers 409 `assignment_exists`.',
        params: MissionParams,
        body: InviteBody,
        response: { 201: InviteResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const invites = 'invites' in body ? body.invites : [body];
      const created = await inviteToMission(db, scopeOf(request), request.params.mission_id, invites);
      return reply.code(201).send('invites' in body ? { items: created } : created[0]!);
    },
  );

  app.get(
    '/missions/:mission_id/assignments',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'The assignments of a mission',
        params: MissionParams,
        querystring: MissionAssignmentsQuery,
        response: { 200: AssignmentPage, ...errors },
      },
    },
    async (request) =>
      listAssignments(db, scopeOf(request), {
        missionId: request.params.mission_id,
        statuses: request.query.status,
        limit: request.query.limit ?? DEFAULT_LIMIT,
        cursor: request.query.cursor,
      }),
  );

  app.get(
    '/assignments',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Search assignments',
        description:
          'Ordered by mission start. A tech sees only the assignments of the person linked to their account.',
        params: OrgParams,
        querystring: AssignmentsQuery,
        response: { 200: AssignmentPage, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return listAssignments(db, scopeOf(request), {
        userId: q.user_id,
        statuses: q.status,
        from: q.from && toIso(q.from),
        to: q.to && toIso(q.to),
        limit: q.limit ?? DEFAULT_LIMIT,
        cursor: q.cursor,
      });
    },
  );

  app.get(
    '/assignments/:assignment_id',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Read an assignment',
        params: AssignmentParams,
        response: { 200: Assignment, ...errors },
      },
    },
    async (request) => getAssignment(db, scopeOf(request), request.params.assignment_id),
  );

  app.post(
    '/assignments/:assignment_id/accept',
    {
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Accept an invitation',
        description:
          'By the invited person (through their linked account) or a manager on their behalf. INVITED → ACCEPTED; ' +
          'anything else 409 `invalid_transition`. A blocking rule answers 409 `conflict` with `reasons`; a full ' +
          'role 409 `role_full`.',
        params: AssignmentParams,
        response: { 200: AssignmentWithWarnings, ...errors },
      },
    },
    async (request) => acceptAssignment(db, scopeOf(request), request.params.assignment_id),
  );

  app.post(
    '/assignments/:assignment_id/decline',
    {
      preValidation: defaultEmptyBody,
      config: { access: 'tech' },
      schema: {
        tags,
        summary: 'Decline an invitation',
        description:
          'By the invited person or a manager on their behalf. INVITED → DECLINED; anything else 409.',
        params: AssignmentParams,
        body: ReasonBody,
        response: { 200: Assignment, ...errors },
      },
    },
    async (request) =>
      declineAssignment(db, scopeOf(request), request.params.assignment_id, request.body.reason ?? null),
  );

  app.post(
    '/assignments/:assignment_id/cancel',
    {
      preValidation: defaultEmptyBody,
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Cancel an invitation or an acceptance',
        description:
          'INVITED | ACCEPTED → CANCELLED; a cancelled acceptance frees its slot. Anything else 409.',
        params: AssignmentParams,
        body: ReasonBody,
        response: { 200: Assignment, ...errors },
      },
    },
    async (request) =>
      cancelAssignment(db, scopeOf(request), request.params.assignment_id, request.body.reason ?? null),
  );
};
