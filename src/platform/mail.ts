import { mkdir, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Config } from '../config.js';
import { newId } from './clock.js';

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
 * Opens the TCP connection of a pooled SMTP connection with Nagle's algorithm off. Each step of an SMTP exchange is
 * a small write followed by a wait for the reply (the body's final `.` line most of all), so with Nagle on every
 * message waits for the server's delayed ACK: about 40 ms a message on Linux, a cap of ~25 mails/s per connection.
 * nodemailer has no option for it; `getSocket` hands it an open socket (it still does TLS, SNI and timeouts).
 */
function noDelaySocket(timeoutMs: number): NonNullable<SMTPPool.Options['getSocket']> {
  return (options, callback) => {
    const socket: Socket = connect({
      host: options.host ?? 'localhost',
      port: options.port ?? 25,
      noDelay: true,
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`SMTP connection timeout (${timeoutMs} ms)`)),
    );
    const failed = (error: Error) => callback(error, null);
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.removeListener('error', failed);
      socket.setTimeout(0); // nodemailer arms its own socket timeout from here on
      socket.setKeepAlive(true);
      callback(null, { connection: socket });
    });
  };
}

/** The pooled transport's options: SMTP_URL, then the pool size and timeouts from the config (docs/operations.md). */
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
    getSocket: noDelaySocket(timeoutMs),
  };
}

/** SMTP when SMTP_URL is set; otherwise one `.eml` file per mail in OUTBOX_DIR (the local outbox). */
export function createMailer(config: Config): Mailer {
  // nodemailer is loaded with the first mail, not at start-up.
  let transport: Promise<Transporter> | undefined;
  const transporter = () =>
    (transport ??= import('nodemailer').then(async ({ default: nodemailer }) =>
      config.smtpUrl
        ? // pooled: the dispatcher sends several mails at once over SMTP_MAX_CONNECTIONS connections
          nodemailer.createTransport(await smtpPoolOptions(config, config.smtpUrl))
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    ));
  return {
    async close() {
      if (transport) (await transport).close();
    },
    async send(mail) {
      // Quoted-printable, as nodemailer would choose for our French and English texts, but without its per-mail
      // count of every letter of both parts to choose it (half of composing the MIME message).
      const info = await (
        await transporter()
      ).sendMail({
        from: config.mailFrom,
        textEncoding: 'quoted-printable',
        ...mail,
      });
      if (config.smtpUrl) return;
      await mkdir(config.outboxDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId()}.eml`;
      await writeFile(join(config.outboxDir, name), (info as unknown as { message: Buffer }).message, {
        mode: 0o600,
      });
    },
  };
}
