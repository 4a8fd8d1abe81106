// Images: a real PNG, and the headers of PNG / JPEG / GIF / WebP files declaring a size.
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** An IHDR chunk: `w`×`h`, 8 bits per sample, colour type 2 (RGB) or 6 (RGBA). */
function pngHeader(w: number, h: number, colourType: 2 | 6): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  return pngChunk('IHDR', ihdr);
}

/** A real, decodable RGB PNG of `w`×`h` (a colour gradient). */
export function png(w = 64, h = 48): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([PNG_SIGNATURE, pngHeader(w, h, 2), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PNG header declaring `w`×`h` with no pixel data (an image that would be huge once decoded). */
export function pngHeaderOnly(w: number, h: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, pngHeader(w, h, 6), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A signature-pad-like PNG data URL. */
export function signatureDataUrl(): string {
  return `data:image/png;base64,${png(120, 40).toString('base64')}`;
}

/** JPEG markers up to a baseline SOF0 frame header declaring `w`×`h`. */
export function jpegHeader(w: number, h: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

export function gifHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return Buffer.concat([b, Buffer.from([0x3b])]);
}

/** A lossless WebP (VP8L) header declaring `w`×`h`. */
export function webpHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBP', 8, 'latin1');
  b.write('VP8L', 12, 'latin1');
  b.writeUInt32LE(10, 16);
  b[20] = 0x2f;
  b.writeUInt32LE(((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14), 21);
  return b;
}
