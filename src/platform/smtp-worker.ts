import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Mail, Mailer } from './mail.js';

/**
 * The SMTP transport in a worker thread (smtp-thread.mjs): building the MIME message and the SMTP conversation
 * (about 1.5 ms of CPU a mail, most of it small socket writes) would otherwise run on the event loop that serves
 * the requests. The main thread composes each mail and hands it over; the worker runs nodemailer's pool and
 * answers each mail with its outcome.
 */
const THREAD = new URL('./smtp-thread.mjs', import.meta.url);

interface Outcome {
  id: number;
  error?: { message: string; code?: string };
}

/** A mailer that sends through SMTP from a worker thread, started with the first mail. */
export function smtpWorkerMailer(config: Config, options: () => Promise<object>): Mailer {
  let worker: Promise<Worker> | undefined;
  let next = 0;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  const start = () =>
    (worker ??= options().then((transportOptions) => {
      const thread = new Worker(THREAD, {
        workerData: {
          options: transportOptions,
          timeoutMs: config.smtp.timeoutMs,
        },
      });
      thread.on('message', (outcome: Outcome) => {
        const waiting = pending.get(outcome.id);
        if (!waiting) return;
        pending.delete(outcome.id);
        if (!outcome.error) return waiting.resolve();
        waiting.reject(Object.assign(new Error(outcome.error.message), { code: outcome.error.code }));
      });
      // A worker that dies fails what it held (retried with backoff) and is started again by the next mail.
      const lost = (error: Error) => {
        worker = undefined;
        failAll(error);
      };
      thread.on('error', lost);
      thread.on('exit', (code) => lost(new Error(`SMTP worker exited (${code})`)));
      return thread;
    }));
  return {
    async send(mail: Mail & { from?: string }) {
      const thread = await start();
      const id = next++;
      await new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, mail });
      });
    },
    async close() {
      if (!worker) return;
      const thread = await worker;
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage({ close: true });
      // the pool closes its connections; a worker that does not end by itself is stopped
      const stopper = setTimeout(() => void thread.terminate(), 2000);
      await exited;
      clearTimeout(stopper);
    },
  };
}
