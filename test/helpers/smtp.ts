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
  /** SMTP connections clients opened so far, open now, and open at the same time at most */
  connections: { opened: number; open: number; maxOpen: number };
  /** the most messages in their DATA phase at the same time */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free local port, keeping every message it accepts, parsed. `delayMs`: each message is
 * answered that long after its data ends, as a distant relay would.
 */
export async function startSmtpSink(options: { delayMs?: number } = {}): Promise<SmtpSink> {
  const mails: SentMail[] = [];
  let refusals = 0;
  const connections = { opened: 0, open: 0, maxOpen: 0 };
  let inFlight = 0;
  let maxInFlight = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      connections.opened++;
      connections.maxOpen = Math.max(connections.maxOpen, ++connections.open);
      callback();
    },
    onClose() {
      connections.open--;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (options.delayMs ? setTimeout(finish, options.delayMs) : finish()));
      const finish = () => {
        inFlight--;
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
      };
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
    connections,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
