import type { Config } from '../../config.js';
import { derivedToken } from '../../platform/auth/derived-tokens.js';

/**
 * The link in every reminder (and its `List-Unsubscribe` header) that switches reminders off for one person:
 * the roster profile's id and a token derived from it, so nothing is stored and nobody can forge another's.
 */
export function unsubscribeUrl(config: Config, userId: string): string {
  return `${config.publicBaseUrl}/notifications/unsubscribe/${userId}/${derivedToken(config.secretKey, 'unsubscribe', userId)}`;
}
