/** One entry of a ZIP's central directory (enough to tell an office package; nothing is inflated). */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  /** Where the entry's data starts (after its local header). */
  dataOffset: number;
}

/** Lists a ZIP's entries in archive order from its central directory; null when it is damaged. */
export function listZipEntries(b: Buffer): ZipEntry[] | null {
  const eocd = findEndOfCentralDirectory(b);
  if (eocd < 0) return null;
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) return null;
    const method = b.readUInt16LE(p + 10);
    const compressedSize = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (local + 30 > b.length || b.readUInt32LE(local) !== 0x04034b50) return null;
    const dataOffset = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    entries.push({ name, method, compressedSize, dataOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries.sort((a, b2) => a.dataOffset - b2.dataOffset);
}

function findEndOfCentralDirectory(b: Buffer): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65_535); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) return i;
  }
  return -1;
}
