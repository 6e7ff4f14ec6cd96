import { Type } from '@fastify/type-provider-typebox';
import { MEMBER_ROLES } from '../../platform/db/tables.js';
import { StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

export const Role = StringEnum(MEMBER_ROLES);
export { OrgParams } from '../../platform/http/schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', examples: ['Théâtre du Soleil'] });
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone',
  examples: ['Europe/Paris'],
});

export const CreateOrgBody = Type.Object(
  { name: Name, timezone: Type.Optional(TimeZone) },
  { additionalProperties: false },
);
export const UpdateOrgBody = Type.Object(
  { name: Type.Optional(Name), timezone: Type.Optional(TimeZone) },
  { additionalProperties: false, minProperties: 1 },
);

export const Org = Type.Object({
  id: Uuid,
  name: Type.String(),
  timezone: Type.String(),
  role: Type.Union([Role, Type.Null()], { description: 'The caller’s role in this org' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const MyOrg = Type.Object({
  org_id: Uuid,
  name: Type.String(),
  timezone: Type.String(),
  role: Role,
  joined_at: Timestamp,
});
