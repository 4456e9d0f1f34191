// A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, deflated data, central directory, end record)
// for the .mcpb bundle, so packaging needs no dependency. Deterministic: entries in the order given, a
// fixed timestamp (1980-01-01, the format's epoch) and fixed Unix modes, so one commit gives one zip.
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const VERSION_NEEDED = 20; // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED; // high byte 3: external attributes carry a Unix mode
const UTF8_NAMES = 1 << 11;

/** entries: [{ name, data: Uint8Array, mode?: 0o644 }] -> the zip file's bytes. Names use "/". */
export function zip(entries) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const { name, data, mode = 0o644 } of entries) {
    if (name.startsWith('/') || name.split('/').includes('..')) throw new Error(`zip: unsafe entry name ${name}`);
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    // Stored when deflate does not help (tiny files): method 0, the data as is.
    const [method, body] = packed.length < data.length ? [8, packed] : [0, Buffer.from(data)];
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10); // time 00:00:00
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x02014b50, 0);
    head.writeUInt16LE(MADE_BY_UNIX, 4);
    local.copy(head, 6, 4, 30); // version needed .. name length: the same fields as the local header
    head.writeUInt16LE(0, 30); // extra
    head.writeUInt16LE(0, 32); // comment
    head.writeUInt16LE(0, 34); // disk
    head.writeUInt16LE(0, 36); // internal attributes
    head.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38); // regular file with this mode
    head.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    central.push(head, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
