import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SentMail {
  parsed: ParsedMail;
  raw: string;
  to: string;
  messageId: string;
  subject: string;
  text: string;
  html: string;
  header(name: string): string | undefined;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`: give it to the app as SMTP_URL */
  url: string;
  mails: SentMail[];
  /** Messages to an address (case-insensitive), in arrival order. */
  mailsTo(email: string): SentMail[];
  /** Waits (up to `timeoutMs`) until `count` messages reached `email`, and returns them. */
  waitForMails(email: string, count?: number, timeoutMs?: number): Promise<SentMail[]>;
  /** The next `count` messages are refused with a 451 (the sender sees a failure and must retry). */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port, keeping every message it accepts, parsed. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SentMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals--;
          const error = new Error('try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            for (const rcpt of session.envelope.rcptTo) {
              mails.push({
                parsed,
                raw,
                to: rcpt.address.toLowerCase(),
                messageId: parsed.messageId ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                header: (name) => {
                  const line = parsed.headerLines.find((h) => h.key === name.toLowerCase());
                  return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
                },
              });
            }
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailsTo = (email: string) => mails.filter((m) => m.to === email.toLowerCase());
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    mailsTo,
    async waitForMails(email, count = 1, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (mailsTo(email).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return mailsTo(email);
    },
    refuseNext(count) {
      refusals = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
