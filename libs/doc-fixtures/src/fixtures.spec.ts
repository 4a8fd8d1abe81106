import { PDFDocument } from 'pdf-lib';
import { docx, docxPackage, docxParagraph, DOCX_PAGE_BREAK, FORM_FIELDS, formPdf, png, storedZip, textPdf } from './index';

describe('doc-fixtures', () => {
  it('builds text PDFs of the asked page count, labelled or not, with bulk when asked', async () => {
    const plain = await PDFDocument.load(await textPdf(2));
    expect(plain.getPageCount()).toBe(2);
    const padded = await textPdf(1, { label: 'Statement 7', padBytes: 200_000 });
    expect(padded.length).toBeGreaterThan(200_000);
    expect((await PDFDocument.load(padded)).getPageCount()).toBe(1);
  });

  it('builds a form whose fields carry the names of FORM_FIELDS', async () => {
    const names = (await PDFDocument.load(await formPdf())).getForm().getFields().map((f) => f.getName());
    expect(names).toEqual(expect.arrayContaining([FORM_FIELDS.name, FORM_FIELDS.iban, FORM_FIELDS.agree, FORM_FIELDS.plan, FORM_FIELDS.country]));
  });

  it('writes stored ZIP entries in order, readable by their local headers', () => {
    const zip = storedZip([['a.txt', 'hello'], ['b.bin', Buffer.from([1, 2, 3])]]);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 35).toString()).toBe('a.txt');
    expect(zip.subarray(35, 40).toString()).toBe('hello');
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt16LE(zip.length - 12)).toBe(2);
  });

  it('makes one escaped DOCX paragraph per line, and packages a body as given', () => {
    expect(docxParagraph('a < b & c')).toBe('<w:p><w:r><w:t xml:space="preserve">a &lt; b &amp; c</w:t></w:r></w:p>');
    const text = docx('first\nsecond').toString('utf8');
    expect(text).toContain(`<w:body>${docxParagraph('first')}${docxParagraph('second')}</w:body>`);
    expect(docxPackage(DOCX_PAGE_BREAK).toString('utf8')).toContain(`<w:body>${DOCX_PAGE_BREAK}</w:body>`);
    const linked = docx('x', { linkedImage: 'http://127.0.0.1:1/canary' }).toString('utf8');
    expect(linked).toContain('Target="http://127.0.0.1:1/canary" TargetMode="External"');
  });

  it('encodes the PNG size in its header', () => {
    const p = png(32, 16);
    expect([p.readUInt32BE(16), p.readUInt32BE(20)]).toEqual([32, 16]);
  });
});
