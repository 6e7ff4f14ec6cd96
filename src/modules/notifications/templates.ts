import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Language } from '../../platform/human-time.js';

/** templates/mail at the repository root, from src/ (tsx) and dist/ (compiled) alike. */
const VIEWS = fileURLToPath(new URL('../../../templates/mail', import.meta.url));

const html = new Eta({ views: VIEWS, autoEscape: true, autoTrim: false, cache: true });
const text = new Eta({ views: VIEWS, autoEscape: false, autoTrim: false, cache: true });

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
  return { text: text.render('message-text', model), html: html.render('message-html', model) };
}

export function renderUnsubscribePage(data: Record<string, unknown>): string {
  return html.render('unsubscribe-page', data);
}
