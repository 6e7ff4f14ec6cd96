import { createHmac } from 'node:crypto';
import { safeEqual } from './secrets.js';

/**
 * A token computed from the server secret and a row id, so the mail dispatcher can put it in a message long
 * after the request that made the row, while the database keeps only its hash (as for random tokens): no
 * secret is ever stored in clear, nor sealed in an event. 256 bits, URL-safe, the shape of `randomToken()`.
 */
export type TokenPurpose = 'password-reset' | 'org-invitation' | 'assignment-link' | 'unsubscribe';

export function derivedToken(secret: string, purpose: TokenPurpose, id: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${id}`).digest('base64url');
}

/** Whether `token` is the derived token of `id` for `purpose` (constant-time). */
export function isDerivedToken(secret: string, purpose: TokenPurpose, id: string, token: string): boolean {
  return safeEqual(derivedToken(secret, purpose, id), token);
}
