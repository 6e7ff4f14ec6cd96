import { Type } from '@fastify/type-provider-typebox';
import { MEMBER_ROLES } from '../../platform/db/tables.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../platform/auth/passwords.js';
import { StringEnum, Uuid } from '../../platform/http/schemas.js';

export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['regie@theatre.example'] });
/** Long enough never to truncate, short enough that nobody makes us hash a megabyte. */
export const AnyPassword = Type.String({ minLength: 1, maxLength: 1024 });
export const NewPassword = Type.String({
  minLength: PASSWORD_MIN,
  maxLength: PASSWORD_MAX,
  description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters, not one of the most common passwords`,
});
export const Role = StringEnum(MEMBER_ROLES);

export const LoginBody = Type.Object(
  {
    email: Email,
    password: AnyPassword,
    org_id: Type.Optional(
      Type.Union([Uuid, Type.Null()], { description: 'Org to act in; default: the oldest membership' }),
    ),
  },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
    org_id: Type.Union([Uuid, Type.Null()]),
  },
  { description: 'Also sets the httpOnly `refresh_token` cookie (Path=/api/v1/auth)' },
);

export const StatusOk = Type.Object({ status: Type.Literal('ok') });

export const Me = Type.Object({
  id: Uuid,
  email: Type.String(),
  org_id: Type.Union([Uuid, Type.Null()]),
  role: Type.Union([Role, Type.Null()]),
  orgs: Type.Array(Type.Object({ org_id: Uuid, name: Type.String(), role: Role })),
});

export const SwitchOrgBody = Type.Object(
  { org_id: Uuid },
  { additionalProperties: false, examples: [{ org_id: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09' }] },
);

export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });
export const ResetRequestResponse = Type.Object({
  status: Type.Literal('ok'),
  reset_token: Type.Optional(Type.String({ description: 'APP_ENV=dev only, when the account exists' })),
});
export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }), new_password: NewPassword },
  {
    additionalProperties: false,
    examples: [{ token: 'the token from the reset link', new_password: 'Loge-Jardin-Cour-2027' }],
  },
);
export const ChangePasswordBody = Type.Object(
  { current_password: AnyPassword, new_password: NewPassword },
  {
    additionalProperties: false,
    examples: [{ current_password: 'Soleil-Regie-2026', new_password: 'Loge-Jardin-Cour-2027' }],
  },
);

export const WebRtcConfig = Type.Object({
  ice_servers: Type.Array(
    Type.Object({
      urls: Type.Array(Type.String()),
      username: Type.Optional(Type.String()),
      credential: Type.Optional(Type.String()),
    }),
  ),
  ttl_seconds: Type.Optional(
    Type.Integer({ description: 'Lifetime of the TURN credentials, when short-lived' }),
  ),
});
