import type { Redis } from 'ioredis';
import { AppError } from './errors.js';

export interface RateLimit {
  /** How many hits a key may take per window. */
  max: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts one hit on `key`; throws a 429 problem with Retry-After once the window's budget is spent. */
  hit(key: string, limit: RateLimit): Promise<void>;
  close(): Promise<void>;
}

function limited(retryAfter: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new AppError(
    'rate_limited',
    `Too many attempts: retry in ${seconds} s`,
    {},
    { 'retry-after': String(seconds) },
  );
}

/** Fixed windows in this process's memory: right for one instance, wrong for several (use Redis). */
export function memoryRateLimiter(): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async hit(key, { max, windowSeconds }) {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowSeconds * 1000 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > max) throw limited((w.resetAt - now) / 1000);
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}

/** Fixed windows in Redis, shared by every instance. */
export function redisRateLimiter(redis: Redis, prefix = 'crew:rl:'): RateLimiter {
  return {
    async hit(key, { max, windowSeconds }) {
      const redisKey = prefix + key;
      const result = await redis
        .multi()
        .incr(redisKey)
        .expire(redisKey, windowSeconds, 'NX')
        .ttl(redisKey)
        .exec();
      const count = Number(result?.[0]?.[1] ?? 0);
      const ttl = Number(result?.[2]?.[1] ?? windowSeconds);
      if (count > max) throw limited(ttl > 0 ? ttl : windowSeconds);
    },
    async close() {},
  };
}
