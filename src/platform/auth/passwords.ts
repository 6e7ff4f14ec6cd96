import { hash, verify, type Options } from '@node-rs/argon2';
import { AppError } from '../errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS: Options = {
  algorithm: 2 /* Argon2id */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};
const ARGON2_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * Verifies argon2id and, so an existing deployment can move over, the Python version's bcrypt hashes.
 * `rehash` tells the caller to store a fresh argon2id hash now that the password is known.
 */
export async function verifyPassword(
  stored: string,
  password: string,
): Promise<{ ok: boolean; rehash: boolean }> {
  if (/^\$2[aby]\$/.test(stored)) {
    // bcrypt reads only 72 bytes: refuse longer passwords rather than accept a truncated match.
    if (Buffer.byteLength(password) > 72) return { ok: false, rehash: false };
    const { default: bcrypt } = await import('bcryptjs'); // only legacy hashes need it
    const ok = await bcrypt.compare(password, stored);
    return { ok, rehash: ok };
  }
  try {
    const ok = await verify(stored, password);
    return { ok, rehash: ok && !stored.startsWith(ARGON2_PREFIX) };
  } catch {
    return { ok: false, rehash: false };
  }
}

// Verified against when the email is unknown, so both paths cost one argon2id verification.
let decoy: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  decoy ??= hashPassword('decoy-password-for-timing');
  await verify(await decoy, password).catch(() => false);
}

/** The password policy: 8 to 256 characters, never truncated, not one of the most common passwords. */
export function assertAcceptablePassword(password: string, field = 'new_password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new AppError(
      'validation_failed',
      `${field} must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`,
      {
        errors: [{ location: 'body', path: `/${field}`, message: 'length out of range' }],
      },
    );
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new AppError('validation_failed', `${field} is one of the most common passwords: choose another`, {
      errors: [{ location: 'body', path: `/${field}`, message: 'too common' }],
    });
  }
}
