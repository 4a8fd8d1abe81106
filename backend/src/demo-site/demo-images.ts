// Images of the demo shop that only a signed-in customer may load (their avatar, their photo ID):
// small PNGs drawn here, so a co-browse test knows the exact colours the agent must see.
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

/** The avatar: a disc of AVATAR_DISC on AVATAR_BACKGROUND (the corners are background). */
export const AVATAR_BACKGROUND: Rgb = [0xd9, 0x5d, 0x1e];
export const AVATAR_DISC: Rgb = [0xf6, 0xe7, 0xc8];
export const AVATAR_SIZE = 96;

/** The photo ID on file: a flat card (only ever shown inside a masked panel). */
export const ID_PHOTO_COLOR: Rgb = [0x24, 0x4f, 0x9e];
export const ID_PHOTO_SIZE = { width: 120, height: 80 } as const;

export function avatarPng(): Buffer {
  const n = AVATAR_SIZE;
  const c = (n - 1) / 2;
  const r2 = (n * 0.3) ** 2;
  return png(n, n, (x, y) => ((x - c) ** 2 + (y - c) ** 2 <= r2 ? AVATAR_DISC : AVATAR_BACKGROUND));
}

export function idPhotoPng(): Buffer {
  return png(ID_PHOTO_SIZE.width, ID_PHOTO_SIZE.height, () => ID_PHOTO_COLOR);
}

/** An 8-bit RGB PNG (no filter, one IDAT). */
export function png(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[o++] = r;
      raw[o++] = g;
      raw[o++] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0, 0);
  return Buffer.concat([len, body, crc]);
}
