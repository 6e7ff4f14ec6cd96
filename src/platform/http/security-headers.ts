import type { Config } from '../../config.js';

/**
 * The response headers a JSON API needs against browsers' misreadings, set once per response in one hook.
 * (helmet did the same in several hooks; this is the subset that matters for an API and its /docs page.)
 */
export function securityHeadersFor(config: Config): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': config.corsAllowOrigins.length > 0 ? 'cross-origin' : 'same-origin',
    'x-permitted-cross-domain-policies': 'none',
    ...(config.appEnv === 'prod'
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
  };
}
