import type { AccessRule } from './access.js';

const COLUMNS = ['public', 'account', 'tech', 'manager', 'admin', 'owner'] as const;
const GRANTS: Record<AccessRule['access'], readonly string[]> = {
  public: COLUMNS,
  account: ['account', 'tech', 'manager', 'admin', 'owner'],
  tech: ['tech', 'manager', 'admin', 'owner'],
  manager: ['manager', 'admin', 'owner'],
  admin: ['admin', 'owner'],
  owner: ['owner'],
};

export const GENERATED_START = '<!-- permissions:generated:start -->';
export const GENERATED_END = '<!-- permissions:generated:end -->';

/** The role × route matrix, from what the routes declare: regenerate with `npm run docs:permissions`. */
export function renderPermissionMatrix(rules: AccessRule[]): string {
  const sorted = [...rules].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  const lines = [
    '| route | least access | anyone | any account | tech | manager | admin | owner |',
    '| --- | --- | :-: | :-: | :-: | :-: | :-: | :-: |',
    ...sorted.map(({ method, url, access }) => {
      const cells = COLUMNS.map((c) => (GRANTS[access].includes(c) ? '✓' : ''));
      return `| \`${method} ${url.replace(/:(\w+)/g, '{$1}')}\` | ${access} | ${cells.join(' | ')} |`;
    }),
  ];
  return `${GENERATED_START}\n${lines.join('\n')}\n${GENERATED_END}`;
}

/** Replaces the generated block of the document, leaving the hand-written rules around it. */
export function withMatrix(document: string, matrix: string): string {
  const start = document.indexOf(GENERATED_START);
  const end = document.indexOf(GENERATED_END);
  if (start < 0 || end < 0) throw new Error('docs/permissions.md has lost its generated markers');
  return document.slice(0, start) + matrix + document.slice(end + GENERATED_END.length);
}
