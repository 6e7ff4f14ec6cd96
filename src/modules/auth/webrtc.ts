import { createHmac } from 'node:crypto';
import type { Config } from '../../config.js';

/** TURN credentials handed out with a secret live this long: a working day with margin. */
export const TURN_CREDENTIAL_TTL_SECONDS = 12 * 3600;

interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * ICE servers for a logged-in account. With WEBRTC_TURN_SECRET, TURN credentials follow coturn's REST scheme:
 * username `<unix expiry>:<account id>`, credential base64(HMAC-SHA1(secret, username)).
 */
export function iceServersFor(config: Config, accountId: string, now = Date.now()) {
  const { stunServers, turnServers, turnSecret, turnUsername, turnPassword } = config.webrtc;
  const ice_servers: IceServer[] = [];
  if (stunServers.length) ice_servers.push({ urls: [...stunServers] });
  if (turnServers.length && turnSecret) {
    const username = `${Math.floor(now / 1000) + TURN_CREDENTIAL_TTL_SECONDS}:${accountId}`;
    const credential = createHmac('sha1', turnSecret).update(username).digest('base64');
    ice_servers.push({ urls: [...turnServers], username, credential });
    return { ice_servers, ttl_seconds: TURN_CREDENTIAL_TTL_SECONDS };
  }
  if (turnServers.length) {
    const entry: IceServer = { urls: [...turnServers] };
    if (turnUsername) entry.username = turnUsername;
    if (turnPassword) entry.credential = turnPassword;
    ice_servers.push(entry);
  }
  return { ice_servers };
}
