// `npm run dev` step one: create .env with a fresh secret when missing, then migrate the database.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const PLACEHOLDER = 'change-me-to-a-long-random-secret';

if (!existsSync('.env')) {
  const secret = randomBytes(48).toString('base64url');
  writeFileSync('.env', readFileSync('.env.example', 'utf8').replace(PLACEHOLDER, secret), { mode: 0o600 });
  console.log('Created .env with a freshly generated REALISONS_SECRET_KEY');
}
execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'db', 'upgrade', 'head'], {
  stdio: 'inherit',
});
