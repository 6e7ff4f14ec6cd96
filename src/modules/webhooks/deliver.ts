import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkedLookup, hostOf, isPrivateAddress, RefusedTarget } from './ssrf.js';

export interface DeliveryOutcome {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** The target itself is refused (private address): retrying cannot help. */
  refused: boolean;
}

export interface DeliverOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** The receiver's answer is read up to this many bytes, then the connection is cut. */
  maxResponseBytes: number;
}

/** One POST to a receiver: checked address, no redirects followed (a 3xx is a failure), bounded in time and size. */
export function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const outcome = (status: number | null, error: string | null, refused = false): DeliveryOutcome => ({
    ok: status !== null && status >= 200 && status < 300,
    status,
    latencyMs: Math.round(performance.now() - started),
    error,
    refused,
  });
  const target = new URL(url);
  const host = hostOf(target);
  if (isIP(host) && !options.allowPrivate && isPrivateAddress(host)) {
    return Promise.resolve(outcome(null, `refused: ${host} is a private address`, true));
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'CoulissesCrew-Webhooks/1', ...headers },
        lookup: checkedLookup(options.allowPrivate) as never,
        agent: false,
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > options.maxResponseBytes) response.destroy();
        });
        const finish = () =>
          done(
            outcome(
              response.statusCode ?? null,
              response.statusCode! < 300 ? null : `HTTP ${response.statusCode}`,
            ),
          );
        response.on('end', finish);
        response.on('close', finish);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      done(outcome(null, `timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error) =>
      done(
        outcome(
          null,
          error instanceof RefusedTarget ? `refused: ${error.message}` : error.message,
          error instanceof RefusedTarget,
        ),
      ),
    );
    request.end(body);
  });
}
