import { Type } from '@fastify/type-provider-typebox';
import { PageQuery, Timestamp, Uuid } from '../../platform/http/schemas.js';
import { Email, NewPassword } from '../auth/auth.schemas.js';
import { Role } from '../orgs/orgs.schemas.js';

export const MemberParams = Type.Object({ org_id: Uuid, account_id: Uuid });
export const MembersQuery = Type.Object(PageQuery, { additionalProperties: false });

export const Member = Type.Object({
  account_id: Uuid,
  email: Type.String(),
  role: Role,
  joined_at: Timestamp,
});

export const InviteBody = Type.Object(
  { email: Email, role: Role },
  { additionalProperties: false, examples: [{ email: 'regisseur@example.com', role: 'manager' }] },
);
export const InviteResponse = Type.Object({
  invitation_id: Uuid,
  expires_at: Timestamp,
  token: Type.Optional(Type.String({ description: 'APP_ENV=dev only; otherwise the link goes by email' })),
});

export const ChangeRoleBody = Type.Object(
  { role: Role },
  { additionalProperties: false, examples: [{ role: 'manager' }] },
);

export const AcceptParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });
export const AcceptBody = Type.Object(
  { password: Type.Optional(NewPassword) },
  {
    additionalProperties: false,
    description: 'Without a bearer token, `password` creates the invited account',
    examples: [{ password: 'Loge-Jardin-Cour-2027' }],
  },
);
export const AcceptResponse = Type.Object({
  org_id: Uuid,
  account_id: Uuid,
  membership_id: Uuid,
  role: Role,
});
