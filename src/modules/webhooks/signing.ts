import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret's bytes. The secret
 * is derived from the server secret, the endpoint and its version, so it is never stored (like derived tokens).
 */
export function endpointSecret(serverSecret: string, endpointId: string, version: number): string {
  const key = createHmac('sha256', serverSecret)
    .update(`webhook-secret\u0000${endpointId}\u0000${version}`)
    .digest();
  return `whsec_${key.toString('base64')}`;
}

export function signatureHeaders(secret: string, messageId: string, body: string, now = new Date()) {
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
