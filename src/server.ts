import { buildApp } from './app.js';
import { configFromEnvironment } from './platform/env.js';
import { warmUpSchemas } from './platform/http/lazy-schemas.js';
import { listenForMetrics } from './platform/metrics/metrics.routes.js';

const config = configFromEnvironment();
// A database that cannot be opened at all (an SQLite folder that does not exist) stops the start with its reason.
const app = await buildApp(config).catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});

if (process.env.BENCH_EVENT_LOOP === '1') {
  // For `npm run bench` only: SIGUSR2 prints the event-loop delay since the last SIGUSR2 to stderr.
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    process.stderr.write(
      `bench-event-loop ${JSON.stringify({ p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) })}\n`,
    );
    delay.reset();
  });
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'draining in-flight requests, then closing');
  const timer = setTimeout(() => {
    app.log.error('graceful shutdown timed out');
    process.exit(1);
  }, 25_000);
  timer.unref();
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ host: config.host, port: config.port });
  // Mails leave from here, never from a request: the dispatcher polls the event log and the queue.
  app.notifications.start();
  app.webhooks.start();
  if (config.metrics.port !== undefined) {
    await listenForMetrics(app, config.host, config.metrics.port);
    app.log.info({ port: config.metrics.port }, 'metrics listening');
  }
} catch (error) {
  app.log.fatal({ err: error }, 'could not start');
  process.exit(1);
}

// Schemas compile on first use (fast start); the rest compile a second after start, one per event-loop turn, so
// the first requests do not compete with it, a broken schema is reported within seconds, and no later request
// pays for a compilation.
setTimeout(() => {
  warmUpSchemas(app).then(
    (compiled) => app.log.debug({ compiled }, 'route schemas compiled'),
    (error: unknown) => app.log.error({ err: error }, 'a route schema does not compile'),
  );
}, 1000).unref();
