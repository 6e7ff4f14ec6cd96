import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { AppError } from './errors.js';
import type { RedisLink } from './redis.js';

export interface RateLimit {
  /** How many hits a key may take per window. */
  max: number;
  windowSeconds: number;
}

/** A counter in its fixed window, which starts with the key's first hit. */
export interface WindowCount {
  count: number;
  resetInSeconds: number;
}

export interface RateLimiter {
  /** Counts one hit on `key`; throws a 429 problem with Retry-After once the window's budget is spent. */
  hit(key: string, limit: RateLimit): Promise<void>;
  /** Adds one to `key`'s counter and answers it, without judging it. */
  count(key: string, windowSeconds: number): Promise<WindowCount>;
  /** `key`'s counter without adding to it (0 when it has none). */
  peek(key: string): Promise<WindowCount>;
  close(): Promise<void>;
}

/** The one way to build `hit` from `count`. */
async function hitBy(counter: Pick<RateLimiter, 'count'>, key: string, { max, windowSeconds }: RateLimit) {
  const { count, resetInSeconds } = await counter.count(key, windowSeconds);
  if (count > max) throw limited(resetInSeconds > 0 ? resetInSeconds : windowSeconds);
}

export function limited(retryAfter: number): AppError {
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
  const limiter: RateLimiter = {
    hit: (key, limit) => hitBy(limiter, key, limit),
    async count(key, windowSeconds) {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowSeconds * 1000 };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetInSeconds: (w.resetAt - now) / 1000 };
    },
    async peek(key) {
      const now = Date.now();
      const w = windows.get(key);
      return w && w.resetAt > now
        ? { count: w.count, resetInSeconds: (w.resetAt - now) / 1000 }
        : { count: 0, resetInSeconds: 0 };
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
  return limiter;
}

/** Fixed windows in Redis, shared by every instance. */
export function redisRateLimiter(redis: Redis, prefix = 'crew:rl:'): RateLimiter {
  const limiter: RateLimiter = {
    hit: (key, limit) => hitBy(limiter, key, limit),
    async count(key, windowSeconds) {
      const redisKey = prefix + key;
      const result = await redis
        .multi()
        .incr(redisKey)
        .expire(redisKey, windowSeconds, 'NX')
        .ttl(redisKey)
        .exec();
      // exec() reports a failed command inside its result: a half-counted hit must not pass as zero.
      const failure = result?.find(([error]) => error)?.[0];
      if (!result || failure) throw failure ?? new Error('Redis transaction aborted');
      return { count: Number(result[0]![1]), resetInSeconds: Number(result[2]![1]) };
    },
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(prefix + key), redis.ttl(prefix + key)]);
      return { count: Number(count ?? 0), resetInSeconds: Math.max(0, ttl) };
    },
    async close() {},
  };
  return limiter;
}

/**
 * Shared counters while Redis answers, this instance's own counters while it does not: an outage never lets
 * requests through uncounted (fail closed on the budget, not on the service) and never answers 500. Counts made
 * during an outage stay local: when Redis returns, each instance's local windows simply run out.
 */
export function resilientRateLimiter(link: RedisLink, shared: RateLimiter, local: RateLimiter): RateLimiter {
  const either =
    <A extends unknown[], R>(call: (limiter: RateLimiter, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!link.usable()) return call(local, ...args);
      try {
        const result = await call(shared, ...args);
        link.succeeded();
        return result;
      } catch (error) {
        link.failed(error);
        return call(local, ...args);
      }
    };
  const limiter: RateLimiter = {
    hit: (key, limit) => hitBy(limiter, key, limit),
    count: either((l, key: string, windowSeconds: number) => l.count(key, windowSeconds)),
    peek: either((l, key: string) => l.peek(key)),
    async close() {
      await Promise.all([shared.close(), local.close()]);
    },
  };
  return limiter;
}

/**
 * The unit an attacker pays for: an IPv4 address, or an IPv6 /64 (one customer's network: rotating addresses
 * inside it must not buy fresh budgets).
 */
export function addressOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
