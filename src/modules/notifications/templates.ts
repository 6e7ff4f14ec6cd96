import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Language } from '../../platform/human-time.js';

/** templates/mail at the repository root, from src/ (tsx) and dist/ (compiled) alike. */
const VIEWS = fileURLToPath(new URL('../../../templates/mail', import.meta.url));

const html = new Eta({ autoEscape: true, autoTrim: false });
const text = new Eta({ autoEscape: false, autoTrim: false });

/**
 * A template read and compiled with its first use, then rendered as a function: rendering by name resolves
 * and checks the file's path on every call (two thirds of rendering a mail), cache or not.
 */
function template(eta: Eta, name: string): (data: object) => string {
  let compiled: ReturnType<Eta['compile']> | undefined;
  return (data) => {
    compiled ??= eta.compile(readFileSync(join(VIEWS, `${name}.eta`), 'utf8'));
    return eta.render(compiled, data);
  };
}

const messageText = template(text, 'message-text');
const messageHtml = template(html, 'message-html');
const unsubscribePage = template(html, 'unsubscribe-page');

export interface MailSection {
  heading?: string;
  rows: { label: string; value: string }[];
  changes: { label: string; from: string; to: string }[];
  action?: { label: string; url: string };
}

/** One message, in words already chosen for its language: the templates only lay it out. */
export interface MailModel {
  lang: Language;
  subject: string;
  greeting: string;
  intro: string[];
  sections: MailSection[];
  action?: { label: string; url: string };
  outro: string[];
  footer: string;
  unsubscribe?: { label: string; url: string };
}

export function renderMail(model: MailModel): { text: string; html: string } {
  return { text: messageText(model), html: messageHtml(model) };
}

export function renderUnsubscribePage(data: Record<string, unknown>): string {
  return unsubscribePage(data);
}
