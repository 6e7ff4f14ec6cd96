import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { EMPLOYMENT_TYPES } from '../../platform/db/tables.js';
import { Page, PageQuery, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.js';

/** At least one non-blank character: names are trimmed, and a name of spaces is no name. */
const NOT_BLANK = '\\S';

export const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK });
export const UserEmail = Type.String({
  format: 'email',
  maxLength: 254,
  examples: ['lea.martin@example.com'],
});
export const Phone = Type.String({ maxLength: 40, examples: ['+33 6 12 34 56 78'] });
export const Notes = Type.String({ maxLength: 2000 });
export const EmploymentType = StringEnum(EMPLOYMENT_TYPES);
export const SkillLevel = Type.Integer({ minimum: 1, maximum: 5, description: '1 (beginner) to 5 (expert)' });
export const SkillName = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern: NOT_BLANK,
  description: 'Trimmed and stored lower-case',
  examples: ['lumière'],
});
export const Skill = Type.Object(
  { name: SkillName, level: SkillLevel },
  { additionalProperties: false, examples: [{ name: 'son', level: 4 }] },
);
export const Tag = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: NOT_BLANK,
  description: 'Trimmed, stored lower-case',
  examples: ['permis-b'],
});
/**
 * `null` first: the app's Ajv coerces types, and with the string branch first a `null` would be coerced to
 * `""` and never clear anything. (An empty string, in turn, is read as `null`.)
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

const SKILLS_DESCRIPTION = 'Each skill name at most once; replaces the whole set when given';
const TAGS_DESCRIPTION = 'Deduplicated; replaces the whole set when given';
const ACCOUNT_DESCRIPTION =
  'Login linked to this person: an account that is a member of the org, linked to at most one user per org';

const EXAMPLE_BODY = {
  first_name: 'Léa',
  last_name: 'Martin',
  email: 'lea.martin@example.com',
  phone: '+33 6 12 34 56 78',
  employment_type: 'INTERMITTENT',
  skills: [
    { name: 'son', level: 4 },
    { name: 'lumière', level: 2 },
  ],
  tags: ['permis-b', 'cariste'],
  notes: 'Disponible en tournée',
};

export const CreateUserBody = Type.Object(
  {
    first_name: PersonName,
    last_name: PersonName,
    email: Type.Optional(Nullable(UserEmail)),
    phone: Type.Optional(Nullable(Phone)),
    employment_type: EmploymentType,
    skills: Type.Optional(Type.Array(Skill, { maxItems: 100, description: SKILLS_DESCRIPTION, default: [] })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 100, description: TAGS_DESCRIPTION, default: [] })),
    notes: Type.Optional(Nullable(Notes)),
    account_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: ACCOUNT_DESCRIPTION }))),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  {
    additionalProperties: false,
    examples: [EXAMPLE_BODY, { first_name: 'Hugo', last_name: 'Bernard', employment_type: 'CDI' }],
  },
);
export type CreateUserInput = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    first_name: Type.Optional(PersonName),
    last_name: Type.Optional(PersonName),
    email: Type.Optional(Nullable(UserEmail)),
    phone: Type.Optional(Nullable(Phone)),
    employment_type: Type.Optional(EmploymentType),
    skills: Type.Optional(Type.Array(Skill, { maxItems: 100, description: SKILLS_DESCRIPTION })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 100, description: TAGS_DESCRIPTION })),
    notes: Type.Optional(Nullable(Notes)),
    account_id: Type.Optional(Nullable(Type.String({ format: 'uuid', description: ACCOUNT_DESCRIPTION }))),
    active: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields given change; `null` clears an optional field.',
    examples: [{ active: false }, { skills: [{ name: 'son', level: 5 }], tags: ['régie'] }],
  },
);
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const User = Type.Object(
  {
    id: Uuid,
    org_id: Uuid,
    first_name: Type.String(),
    last_name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    employment_type: EmploymentType,
    skills: Type.Array(Type.Object({ name: Type.String(), level: Type.Integer() }), {
      description: 'Sorted by name',
    }),
    tags: Type.Array(Type.String(), { description: 'Sorted' }),
    notes: Nullable(Type.String()),
    account_id: Nullable(Uuid),
    active: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    description: 'A person of the crew roster',
    examples: [
      {
        id: '7f1d4a52-8c1e-4f8e-9b7a-3c2d1e0f9a8b',
        org_id: '0b6f3c1e-2d4a-4b5c-8e9f-1a2b3c4d5e6f',
        ...EXAMPLE_BODY,
        skills: [
          { name: 'lumière', level: 2 },
          { name: 'son', level: 4 },
        ],
        tags: ['cariste', 'permis-b'],
        account_id: null,
        active: true,
        created_at: '2026-06-01T18:00:00.000Z',
        updated_at: '2026-06-01T18:00:00.000Z',
      },
    ],
  },
);
export type UserView = Static<typeof User>;

export const UserPage = Page(User);

export { OrgParams } from '../../platform/http/schemas.js';
export const UserParams = Type.Object({ org_id: Uuid, user_id: Uuid });

export const ListUsersQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Case-insensitive part of the first name, the last name or "first last"',
        examples: ['léa mar'],
      }),
    ),
    skill: Type.Optional(
      Type.String({ minLength: 1, maxLength: 60, description: 'Has this skill', examples: ['son'] }),
    ),
    min_level: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 5, description: 'With `skill`: at least this level' }),
    ),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Has this tag' })),
    active: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListUsersFilters = Static<typeof ListUsersQuery>;
