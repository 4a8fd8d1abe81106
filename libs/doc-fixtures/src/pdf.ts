// PDFs: text pages and a form with pdf-lib; encrypted and damaged ones assembled by hand.
import { randomBytes } from 'node:crypto';
import { PDFDocument, PDFString, StandardFonts, rgb } from 'pdf-lib';

/**
 * A text PDF of `pages` A4 pages (40 lines each, like a statement), each saying its number;
 * `label` names it on every page (the bench tells its documents apart); `padBytes` of
 * incompressible bulk (an attachment) to reach a size.
 */
export async function textPdf(pages = 3, opts: { label?: string; padBytes?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const { label } = opts;
  for (let i = 1; i <= pages; i++) {
    const p = doc.addPage([595.28, 841.89]);
    if (label) p.drawText(`${label} · page ${i} of ${pages}`, { x: 50, y: 780, size: 22, font });
    else p.drawText(`Page ${i} of ${pages}`, { x: 50, y: 780, size: 24, font });
    const tail = label ? `, ${label}` : '';
    for (let l = 0; l < 40; l++) p.drawText(`Line ${l + 1}: the quick brown fox jumps over the lazy dog${tail}.`, { x: 50, y: 740 - l * 17, size: 11, font });
  }
  if (opts.padBytes) await doc.attach(randomBytes(opts.padBytes), 'noise.bin', { mimeType: 'application/octet-stream' });
  return doc.save();
}

/** Field names of formPdf(). */
export const FORM_FIELDS = { name: 'full_name', iban: 'iban', agree: 'agree', plan: 'plan', country: 'country', signature: 'customer_signature' } as const;

/**
 * A one-page form: text (full_name, required; iban), check box (agree), radio group (plan: basic /
 * premium), dropdown (country) and a signature field (customer_signature, /FT /Sig).
 */
export async function formPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText('Account opening form', { x: 50, y: 790, size: 20, font });
  const form = doc.getForm();
  const label = (t: string, y: number) => page.drawText(t, { x: 50, y, size: 11, font });
  label('Full name', 740);
  const name = form.createTextField(FORM_FIELDS.name);
  name.addToPage(page, { x: 160, y: 732, width: 250, height: 22 });
  name.enableRequired();
  label('IBAN', 700);
  form.createTextField(FORM_FIELDS.iban).addToPage(page, { x: 160, y: 692, width: 250, height: 22 });
  label('I agree', 660);
  form.createCheckBox(FORM_FIELDS.agree).addToPage(page, { x: 160, y: 655, width: 16, height: 16 });
  label('Plan', 620);
  const plan = form.createRadioGroup(FORM_FIELDS.plan);
  plan.addOptionToPage('basic', page, { x: 160, y: 615, width: 16, height: 16 });
  plan.addOptionToPage('premium', page, { x: 260, y: 615, width: 16, height: 16 });
  label('Country', 580);
  const country = form.createDropdown(FORM_FIELDS.country);
  country.addOptions(['Austria', 'Belgium', 'France']);
  country.addToPage(page, { x: 160, y: 572, width: 150, height: 22 });
  label('Signature', 500);
  page.drawRectangle({ x: 160, y: 460, width: 220, height: 60, borderColor: rgb(0.5, 0.5, 0.5), borderWidth: 1 });
  const ctx = doc.context;
  const sig = ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of(FORM_FIELDS.signature), Rect: [160, 460, 380, 520], F: 4, P: page.ref });
  const sigRef = ctx.register(sig);
  page.node.addAnnot(sigRef);
  form.acroForm.addField(sigRef);
  return doc.save();
}

/** A PDF whose trailer names an /Encrypt dictionary with a user password nobody knows. */
export function encryptedPdf(): Uint8Array {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`,
  ];
  return assemblePdf(objs, '/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]');
}

/** A PDF header followed by garbage: no objects, no xref. */
export function damagedPdf(): Uint8Array {
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R'), randomBytes(2000)]);
}

function assemblePdf(objects: string[], trailerExtra: string): Uint8Array {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
