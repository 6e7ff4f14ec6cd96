// Rewrites the generated matrix of docs/permissions.md from the routes' declared access.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { renderPermissionMatrix, withMatrix } from '../src/platform/auth/permissions-doc.js';

const app = await buildApp(
  loadConfig({
    REALISONS_SECRET_KEY: 'docs-generation-only',
    DATABASE_URL: 'sqlite:///:memory:',
    LOG_LEVEL: 'silent',
  }),
);
await app.ready();
const path = 'docs/permissions.md';
writeFileSync(path, withMatrix(readFileSync(path, 'utf8'), renderPermissionMatrix(app.accessRules)));
await app.close();
console.log(`updated ${path} (${app.accessRules.length} routes)`);
