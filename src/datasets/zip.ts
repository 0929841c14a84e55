/**
 * Read one file out of a .zip archive with `node:zlib` alone. No unzip package is installed in the
 * project, and the system `unzip` binary is not guaranteed on every machine CI runs on, so the
 * archive is parsed here: the central directory (found through the end-of-central-directory record)
 * gives each entry's method, sizes and local-header offset; stored (0) entries are copied and
 * deflated (8) ones inflated with `inflateRawSync`. ZIP64 and encryption are not supported (the
 * UCI archive needs neither) and are refused with BAD_ARCHIVE. The CRC-32 is checked.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

// zlib.crc32 only exists from Node 20.15; the project allows 20.10, so the table is built here.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zip uses) of `data`. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Entries of the archive, from its central directory. */
export function listZipEntries(archive: Buffer): ZipEntry[] {
  // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 65535); i--) {
    if (archive.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError('BAD_ARCHIVE', 'not a zip archive: no end-of-central-directory record');
  const count = archive.readUInt16LE(eocd + 10);
  let offset = archive.readUInt32LE(eocd + 16);
  if (offset === 0xffffffff || count === 0xffff) throw new DatasetError('BAD_ARCHIVE', 'ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_SIGNATURE) throw new DatasetError('BAD_ARCHIVE', `bad central directory entry ${k}`);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    entries.push({
      flags: archive.readUInt16LE(offset + 8),
      method: archive.readUInt16LE(offset + 10),
      crc: archive.readUInt32LE(offset + 16),
      compressedSize: archive.readUInt32LE(offset + 20),
      size: archive.readUInt32LE(offset + 24),
      localOffset: archive.readUInt32LE(offset + 42),
      name: archive.toString('utf8', offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of entry `name` (exact path inside the archive). */
export function extractZipEntry(archive: Buffer, name: string): Buffer {
  const entry = listZipEntries(archive).find((e) => e.name === name);
  if (!entry) throw new DatasetError('BAD_ARCHIVE', `zip archive has no entry ${name}`);
  if (entry.flags & 0x1) throw new DatasetError('BAD_ARCHIVE', `zip entry ${name} is encrypted`);
  const at = entry.localOffset;
  if (archive.readUInt32LE(at) !== LOCAL_SIGNATURE) throw new DatasetError('BAD_ARCHIVE', `bad local header for ${name}`);
  const dataStart = at + 30 + archive.readUInt16LE(at + 26) + archive.readUInt16LE(at + 28);
  const raw = archive.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) data = inflateRawSync(raw);
  else throw new DatasetError('BAD_ARCHIVE', `zip entry ${name} uses unsupported method ${entry.method}`);
  if (data.length !== entry.size) throw new DatasetError('BAD_ARCHIVE', `zip entry ${name}: ${data.length} bytes, expected ${entry.size}`);
  if (crc32(data) !== entry.crc) throw new DatasetError('BAD_ARCHIVE', `zip entry ${name} fails its CRC-32 check`);
  return data;
}

/** Read entry `name` of the zip file at `path` as UTF-8 text. */
export function readZipText(path: string, name: string): string {
  return extractZipEntry(readFileSync(path), name).toString('utf8');
}
