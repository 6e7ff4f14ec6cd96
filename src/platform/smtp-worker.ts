import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Mail, Mailer } from './mail.js';

/**
 * The SMTP transport in a worker thread: building the MIME message and the SMTP conversation (about 1.5 ms of CPU
 * a mail, most of it small socket writes) would otherwise run on the event loop that serves the requests. The
 * main thread composes each mail and hands it over; the worker runs nodemailer's pool, with every option of
 * `smtpPoolOptions` and its sockets opened with Nagle's algorithm off (mail.ts), and answers each mail with its
 * outcome. Plain JavaScript in a string, so it needs no entry of its own in the build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const nodemailer = require(workerData.nodemailer);
const { timeoutMs } = workerData;
// mail.ts, noDelay: each step of an SMTP exchange is a small write followed by a wait for the reply; with Nagle on,
// every message waits for the relay's delayed ACK (about 40 ms on Linux).
function getSocket(options, callback) {
  const socket = connect({ host: options.host || 'localhost', port: options.port || 25, noDelay: true });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error('SMTP connection timeout (' + timeoutMs + ' ms)')));
  const failed = (error) => callback(error, null);
  socket.once('error', failed);
  socket.once('connect', () => {
    socket.removeListener('error', failed);
    socket.setTimeout(0);
    socket.setKeepAlive(true);
    callback(null, { connection: socket });
  });
}
const transport = nodemailer.createTransport({ ...workerData.options, getSocket });
parentPort.on('message', (message) => {
  if (message.close) {
    transport.close();
    parentPort.close();
    return;
  }
  transport.sendMail(message.mail).then(
    () => parentPort.postMessage({ id: message.id }),
    (error) => parentPort.postMessage({ id: message.id, error: { message: String(error && error.message), code: error && error.code } }),
  );
});
`;

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
      const thread = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          nodemailer: createRequire(import.meta.url).resolve('nodemailer'),
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
