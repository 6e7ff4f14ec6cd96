import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../platform/auth/access.js';
import { OrgParams, ProblemResponses } from '../../platform/http/schemas.js';
import { getPaySettings, updatePaySettings } from './pay-settings.service.js';

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local time, HH:MM' });

const PaySettingsView = Type.Object({
  timezone: Type.String({ description: 'The org time zone (set on the org): local days and nights use it' }),
  country: Type.String({ description: 'ISO 3166-1 alpha-2; its public holidays count as holiday minutes' }),
  currency: Type.String({ description: 'ISO 4217; every amount is in its minor unit (cents)' }),
  night_start: Clock,
  night_end: Clock,
  dpae_delay_hours: Type.Integer({ description: 'How far ahead the DPAE list looks' }),
  managers_see_amounts: Type.Boolean(),
  amounts_visible: Type.Boolean({ description: 'Whether the caller sees rates and amounts' }),
});

const PaySettingsPatch = Type.Object(
  {
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    night_start: Type.Optional(Clock),
    night_end: Type.Optional(Clock),
    dpae_delay_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
    managers_see_amounts: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    examples: [
      {
        country: 'FR',
        currency: 'EUR',
        night_start: '22:00',
        night_end: '06:00',
        managers_see_amounts: true,
      },
    ],
  },
);

const tags = ['pay'];

/** `GET|PATCH /pay-settings`: country (public holidays), currency, night window, DPAE delay, who sees money. */
export const paySettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.get(
    '/pay-settings',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'The org pay settings',
        description: 'Defaults for an org that never set them: FR, EUR, night 22:00–06:00, DPAE 48 h ahead.',
        params: OrgParams,
        response: { 200: PaySettingsView, ...ProblemResponses },
      },
    },
    async (request) => getPaySettings(db, scopeOf(request)),
  );

  app.patch(
    '/pay-settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change the org pay settings',
        description:
          'Audited. A night window whose end is before its start runs across midnight; equal start and end ' +
          'means no night window. An unknown country is a 400.',
        params: OrgParams,
        body: PaySettingsPatch,
        response: { 200: PaySettingsView, ...ProblemResponses },
      },
    },
    async (request) => updatePaySettings(db, scopeOf(request), request.body),
  );
};
