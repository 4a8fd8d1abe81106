// Files every upload must refuse: active content, and polyglots that are two formats at once.
import { jpegHeader } from './images';
import { storedZip } from './office';
import { textPdf } from './pdf';

export const htmlFile = () => Buffer.from('<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body><script>alert(1)</script></body></html>\n');
export const svgFile = () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>\n');

/** A PDF that is also an HTML page in its first bytes. */
export async function pdfHtmlPolyglot(): Promise<Buffer> {
  const pdf = Buffer.from(await textPdf(1));
  const nl = pdf.indexOf(0x0a);
  return Buffer.concat([pdf.subarray(0, nl + 1), Buffer.from('%<html><script>alert(document.domain)</script></html>\n'), pdf.subarray(nl + 1)]);
}

/** A PDF with a ZIP appended after %%EOF. */
export async function pdfZipPolyglot(): Promise<Buffer> {
  return Buffer.concat([Buffer.from(await textPdf(1)), storedZip([['evil.html', '<script>alert(1)</script>']])]);
}

/** A JPEG with an HTML comment payload near the start. */
export function jpegHtmlPolyglot(): Buffer {
  const j = jpegHeader(10, 10);
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x30]), Buffer.from('<html><script>alert(1)</script></html>'.padEnd(46))]);
  return Buffer.concat([j.subarray(0, 2), com, j.subarray(2)]);
}
