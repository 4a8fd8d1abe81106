// Documents the doc benchmark uploads, built in code with the shared @engage/doc-fixtures library.
import { DOCX_PAGE_BREAK, docxPackage, docxParagraph, textPdf as labelledTextPdf } from '@engage/doc-fixtures';

/** A text PDF of `pages` A4 pages (40 lines each, like a statement), `label` on each; `padBytes` of incompressible bulk. */
export function textPdf(pages: number, label: string, padBytes = 0): Promise<Uint8Array> {
  return labelledTextPdf(pages, { label, padBytes });
}

/** A two-page letter as DOCX (paragraphs of text, a page break). */
export function docx(): Buffer {
  const body = [docxParagraph('Dear customer,'), ...Array.from({ length: 30 }, (_, i) => docxParagraph(`Paragraph ${i + 1}: the terms of your contract are set out below in plain words.`)), DOCX_PAGE_BREAK, docxParagraph('Yours sincerely')].join('');
  return docxPackage(body);
}
