import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
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

/** SMTP when SMTP_URL is set; otherwise one `.eml` file per mail in OUTBOX_DIR (the local outbox). */
export function createMailer(config: Config): Mailer {
  // nodemailer is loaded with the first mail, not at start-up.
  let transport: Promise<Transporter> | undefined;
  const transporter = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      config.smtpUrl
        ? // pooled: the dispatcher sends batches; one connection per mail would cap the throughput
          nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: 4 })
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    ));
  return {
    async close() {
      if (transport) (await transport).close();
    },
    async send(mail) {
      const info = await (await transporter()).sendMail({ from: config.mailFrom, ...mail });
      if (config.smtpUrl) return;
      await mkdir(config.outboxDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId()}.eml`;
      await writeFile(join(config.outboxDir, name), (info as unknown as { message: Buffer }).message, {
        mode: 0o600,
      });
    },
  };
}
