import type { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { formatCents, formatHours } from '../pay/pricing.js';
import type { PersonMonth } from './totals.js';

/** The texts of the statement a person can be handed, in French and English. */
const TEXTS = {
  fr: {
    title: 'Relevé d’heures',
    colon: ' : ',
    month: 'Mois',
    person: 'Personne',
    employment: 'Contrat',
    project: 'Projet',
    planned: 'Prévues',
    worked: 'Travaillées',
    approved: 'Validées',
    cachets: 'Cachets',
    amount: 'Montant brut',
    total: 'Total',
    premiums:
      'dont majorations : nuit {night}, dimanche {sunday}, jour férié {holiday}, heures sup. {overtime}',
    footer:
      'Document d’information établi à partir des feuilles d’heures validées ; il ne remplace pas le bulletin de paie.',
  },
  en: {
    title: 'Hours statement',
    colon: ': ',
    month: 'Month',
    person: 'Person',
    employment: 'Contract',
    project: 'Project',
    planned: 'Planned',
    worked: 'Worked',
    approved: 'Approved',
    cachets: 'Cachets',
    amount: 'Gross amount',
    total: 'Total',
    premiums:
      'of which premiums: night {night}, Sunday {sunday}, public holiday {holiday}, overtime {overtime}',
    footer: 'For information, from the approved timesheets; it does not replace the pay slip.',
  },
} as const;

export type PdfLanguage = keyof typeof TEXTS;

const COLUMNS = [50, 230, 290, 355, 420, 470] as const;

/**
 * An A4 PDF, one page per person: their month per project and in total. pdfkit writes each page out when the
 * next one starts, so memory holds one page, not the org.
 */
export function monthlyPdf(
  rows: AsyncIterable<PersonMonth>,
  o: { orgName: string; currency: string; amountsVisible: boolean; lang: PdfLanguage },
): Readable {
  const t = TEXTS[o.lang];
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: false, margin: 50, info: { Title: t.title } });
  const decimal = o.lang === 'fr' ? ',' : '.';
  const h = (minutes: number) => formatHours(minutes, decimal);
  const money = (cents: number) => (o.amountsVisible ? `${formatCents(cents, decimal)} ${o.currency}` : '—');

  const line = (y: number, cells: string[], bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    cells.forEach((cell, i) =>
      doc.text(cell, COLUMNS[i]!, y, { width: i === 0 ? 175 : 60, lineBreak: false }),
    );
  };

  void (async () => {
    try {
      let pages = 0;
      for await (const p of rows) {
        pages += 1;
        doc.addPage();
        doc.font('Helvetica-Bold').fontSize(16).text(`${t.title} — ${o.orgName}`, 50, 50);
        doc.font('Helvetica').fontSize(11);
        doc.text(`${t.person}${t.colon}${p.user_name}`, 50, 85);
        doc.text(`${t.month}${t.colon}${p.month}`, 50, 102);
        doc.text(`${t.employment}${t.colon}${p.employment_type}`, 50, 119);
        let y = 155;
        line(y, [t.project, t.planned, t.worked, t.approved, t.cachets, t.amount], true);
        y += 18;
        for (const project of p.by_project) {
          if (y > 740) break; // one page per person: the total below still holds everything
          line(y, [
            project.project_name,
            h(project.planned_minutes),
            h(project.worked_minutes),
            h(project.approved_minutes),
            String(project.cachets),
            money(project.amount_cents),
          ]);
          y += 15;
        }
        y += 6;
        line(
          y,
          [
            t.total,
            h(p.planned_minutes),
            h(p.worked_minutes),
            h(p.approved_minutes),
            String(p.cachets),
            money(p.amount_cents),
          ],
          true,
        );
        if (o.amountsVisible) {
          const premiums = t.premiums.replace(
            /\{(\w+)\}/g,
            (_, k: 'night' | 'sunday' | 'holiday' | 'overtime') => money(p.premiums_cents[k]),
          );
          doc
            .font('Helvetica')
            .fontSize(9)
            .text(premiums, 50, y + 20, { width: 495 });
        }
        doc.font('Helvetica-Oblique').fontSize(8).text(t.footer, 50, 780, { width: 495, lineBreak: false });
      }
      if (pages === 0) doc.addPage().font('Helvetica').fontSize(11).text('—', 50, 50);
      doc.end();
    } catch (error) {
      doc.destroy(error as Error);
    }
  })();
  return doc;
}
