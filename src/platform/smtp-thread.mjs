// @ts-check
// The SMTP worker thread that smtp-worker.ts starts: nodemailer's pool with every option of `smtpPoolOptions`
// (mail.ts), its sockets opened with Nagle's algorithm off, one message in, one outcome out.
// Plain JavaScript, so the same file runs from src/ (tests, `npm run dev`) and, copied by scripts/build.mjs, from
// dist/: a worker thread gets no TypeScript loader.
import { readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

/** @type {{ options: object, timeoutMs: number }} */
const { options, timeoutMs } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/**
 * Each step of an SMTP exchange is a small write followed by a wait for the reply; with Nagle on, every message
 * waits for the relay's delayed ACK of its final `.` line (about 40 ms on Linux).
 * @param {{ host?: string, port?: number }} target
 * @param {(error: Error | null, socket: { connection: import('node:net').Socket } | null) => void} callback
 */
function getSocket(target, callback) {
  const socket = connect({ host: target.host || 'localhost', port: target.port || 25, noDelay: true });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`SMTP connection timeout (${timeoutMs} ms)`)));
  /** @param {Error} error */
  const failed = (error) => callback(error, null);
  socket.once('error', failed);
  socket.once('connect', () => {
    socket.removeListener('error', failed);
    socket.setTimeout(0);
    socket.setKeepAlive(true);
    callback(null, { connection: socket });
  });
}

/**
 * Mail is background work: with the cores full, a request should not wait behind a MIME build (docs/events.md,
 * "Notifications"). 0 is the requests' priority, 19 the lowest; Linux sets one thread's when given its id.
 */
const NICENESS = 10;
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, NICENESS);
} catch {
  // not Linux: the worker runs at the process's priority
}

const transport = nodemailer.createTransport({ ...options, getSocket });

port.on('message', (message) => {
  if (message.close) {
    transport.close();
    port.close();
    return;
  }
  transport.sendMail(message.mail).then(
    () => port.postMessage({ id: message.id }),
    (error) =>
      port.postMessage({ id: message.id, error: { message: String(error?.message), code: error?.code } }),
  );
});
