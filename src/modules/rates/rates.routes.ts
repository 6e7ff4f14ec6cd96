import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import {
  BindingParams,
  BindingsQuery,
  CreateBindingBody,
  CreateProfileBody,
  ProfileParams,
  RateBinding,
  RateBindingPage,
  RateProfile,
  RateProfilePage,
  UpdateProfileBody,
} from './rates.schemas.js';
import {
  createRateBinding,
  createRateProfile,
  deleteRateBinding,
  deleteRateProfile,
  getRateProfile,
  listRateBindings,
  listRateProfiles,
  updateRateProfile,
} from './rates.service.js';

const tags = ['rates'];
const errors = ProblemResponses;
const READ =
  'Visible to admins and owners, and to managers when the org setting `managers_see_amounts` allows it (403 otherwise).';
const Empty = Type.Null({ description: 'No content' });

/** Rate profiles and the bindings that say which profile pays whom. */
export const ratesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/rate-profiles',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'The org rate profiles',
        description: READ,
        params: OrgParams,
        response: { 200: RateProfilePage, ...errors },
      },
    },
    async (request) => listRateProfiles(db, scopeOf(request)),
  );

  app.post(
    '/rate-profiles',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a rate profile',
        description:
          'A base amount per hour, day or cachet in cents; optional premiums, each a percentage of the hourly ' +
          'base (hourly profiles only). An overtime premium needs its weekly threshold. Names are unique per org ' +
          '(409 `name_taken`). Audited.',
        params: OrgParams,
        body: CreateProfileBody,
        response: { 201: RateProfile, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createRateProfile(db, scopeOf(request), request.body)),
  );

  app.get(
    '/rate-profiles/:profile_id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Read a rate profile',
        description: READ,
        params: ProfileParams,
        response: { 200: RateProfile, ...errors },
      },
    },
    async (request) => getRateProfile(db, scopeOf(request), request.params.profile_id),
  );

  app.patch(
    '/rate-profiles/:profile_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a rate profile',
        description: 'Applies to every amount computed afterwards, approved timesheets included. Audited.',
        params: ProfileParams,
        body: UpdateProfileBody,
        response: { 200: RateProfile, ...errors },
      },
    },
    async (request) => updateRateProfile(db, scopeOf(request), request.params.profile_id, request.body),
  );

  app.delete(
    '/rate-profiles/:profile_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a rate profile and its bindings',
        description: 'The lines it priced become unpriced. Audited.',
        params: ProfileParams,
        response: { 204: Empty, ...errors },
      },
    },
    async (request, reply) => {
      await deleteRateProfile(db, scopeOf(request), request.params.profile_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/rate-bindings',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Which profile pays whom',
        description: `${READ} Oldest first.`,
        params: OrgParams,
        querystring: BindingsQuery,
        response: { 200: RateBindingPage, ...errors },
      },
    },
    async (request) => listRateBindings(db, scopeOf(request), request.query.user_id),
  );

  app.post(
    '/rate-bindings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Bind a rate profile to a person, a role name or a mission',
        description:
          'Most specific wins: mission + person, mission, role name + person, role name, person. A role name and ' +
          'a mission together are a 400; a second binding for the same target is a 409 `already_exists`. Audited.',
        params: OrgParams,
        body: CreateBindingBody,
        response: { 201: RateBinding, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createRateBinding(db, scopeOf(request), request.body)),
  );

  app.delete(
    '/rate-bindings/:binding_id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Remove a rate binding',
        description: 'Audited.',
        params: BindingParams,
        response: { 204: Empty, ...errors },
      },
    },
    async (request, reply) => {
      await deleteRateBinding(db, scopeOf(request), request.params.binding_id);
      return reply.code(204).send(null);
    },
  );
};
