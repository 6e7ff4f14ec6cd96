import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Config } from '../config.js';
import { newId } from './clock.js';
import { smtpWorkerMailer } from './smtp-worker.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** `<id@domain>`: stable per notification, so a receiver recognises a retried duplicate */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The pooled transport's options: SMTP_URL, then the pool size and timeouts from the config (docs/operations.md).
 * Plain data, handed to the SMTP worker thread (smtp-thread.mjs), which adds the sockets opened with Nagle's
 * algorithm off: each step of an SMTP exchange is a small write followed by a wait for the reply (the body's final
 * `.` line most of all), so with Nagle on every message waits for the server's delayed ACK, about 40 ms a message
 * on Linux.
 */
export async function smtpPoolOptions(config: Config, smtpUrl: string): Promise<SMTPPool.Options> {
  // `createTransport({ url, ... })` would drop every option but the URL (nodemailer/nodemailer#1762): parse it here.
  const { parseConnectionUrl } = await import('nodemailer/lib/shared/index.js');
  const { timeoutMs, maxConnections, maxMessages } = config.smtp;
  return {
    ...parseConnectionUrl(smtpUrl),
    pool: true,
    maxConnections,
    maxMessages,
    // Bounded: a relay that stops answering fails the send (retried with backoff) well before a claim's lease ends.
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/** SMTP when SMTP_URL is set; otherwise one `.eml` file per mail in OUTBOX_DIR (the local outbox). */
export function createMailer(config: Config): Mailer {
  // Quoted-printable, as nodemailer would choose for our French and English texts, but without its per-mail
  // count of every letter of both parts to choose it (half of composing the MIME message).
  const message = (mail: Mail) => ({
    from: config.mailFrom,
    textEncoding: 'quoted-printable' as const,
    ...mail,
  });
  if (config.smtpUrl) {
    // pooled, in a worker thread: the dispatcher sends several mails at once over SMTP_MAX_CONNECTIONS connections
    const smtpUrl = config.smtpUrl;
    const smtp = smtpWorkerMailer(config, () => smtpPoolOptions(config, smtpUrl));
    return { send: (mail) => smtp.send(message(mail)), close: () => smtp.close!() };
  }
  // nodemailer is loaded with the first mail, not at start-up.
  let transport: Promise<Transporter> | undefined;
  const transporter = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    ));
  return {
    async close() {
      if (transport) (await transport).close();
    },
    async send(mail) {
      const info = await (await transporter()).sendMail(message(mail));
      await mkdir(config.outboxDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId()}.eml`;
      await writeFile(join(config.outboxDir, name), (info as unknown as { message: Buffer }).message, {
        mode: 0o600,
      });
    },
  };
}
