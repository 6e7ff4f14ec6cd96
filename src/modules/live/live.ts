import type { FastifyInstance } from 'fastify';
import { commitKey, EventHub } from './hub.js';
import { inProcess, publishCommit } from './signals.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The instance's reader of the events table for live streams (docs/events.md, "Live stream"). */
    liveEvents: EventHub;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The hub, and the commit signal: a mutating request that succeeded has committed its events by its response. */
export function registerLiveEvents(app: FastifyInstance): void {
  app.decorate('liveEvents', new EventHub(app));
  app.addHook('onResponse', (request, reply, done) => {
    if (!READS.has(request.method) && reply.statusCode < 400) {
      inProcess.emit('commit', commitKey(app));
      publishCommit(app.redisLink);
    }
    done();
  });
  // Before the server waits for open connections to end: streams never end by themselves.
  app.addHook('preClose', async () => {
    await app.liveEvents.stop();
  });
}
