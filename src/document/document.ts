// Loads a confined document as text (strict UTF-8), with its lines and headings, through a small
// byte-bounded cache keyed by the file's identity (dev, inode, size, mtime) so a changed file is re-read.
// `decode` is where document text enters the server: with files.redactSecrets its secrets are redacted
// there, once, so every consumer (pages, ranges, outline, search, snippets, resources) sees only that text.
import { redactDocument } from '../audit/redact.ts';
import { failure } from '../errors/failure.ts';
import { formatOf, parseHeadingsInSlices, type DocFormat, type Heading } from '../formats/headings.ts';
import { openConfined, readRange, type Confinement, type ConfinedPath, type OpenDocument } from '../policy/resolver.ts';
import type { FileStat, Host } from '../runtime/host.ts';
import { createMemoryBudget, type MemoryBudget } from '../sched/memory_budget.ts';
import { createSlicer, decodeInSlices } from '../sched/slice.ts';

export type TextDocument = {
  readonly path: ConfinedPath;
  readonly stat: FileStat;
  readonly text: string;
  readonly lines: LineTable;
  readonly format: DocFormat;
  readonly headings: readonly Heading[];
};

export function fingerprint(stat: FileStat): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/** Lines by 0-based index, cut from the text on demand: the table is one 32-bit start offset a line (a text is
 * shorter than 2^32), where an array of line strings costs ~40 bytes a line (4 M short lines: 160 MB). */
export type LineTable = {
  readonly length: number;
  /** The line (without its \n and one \r before it); '' out of range. */
  at(index: number): string;
  /** UTF-16 offset where line `index` starts; the text's length past the last line. */
  start(index: number): number;
  /** Index of the line holding UTF-16 offset `offset`. */
  lineOf(offset: number): number;
};

/** Splits on \n, dropping one \r before it; a final newline does not add an empty line. `tick` runs every
 * 4,096 lines (a file of newlines has one per byte). */
export async function lineTable(text: string, tick: () => Promise<void>): Promise<LineTable> {
  let starts = new Uint32Array(1024);
  let n = 1; // starts[0] is 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (n === starts.length) {
      const grown = new Uint32Array(n * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = i + 1;
    if ((n & 4095) === 0) await tick();
  }
  const length = n > 1 && starts[n - 1] === text.length ? n - 1 : n;
  const start = (k: number) => (k < length ? (starts[k] as number) : text.length);
  const end = (k: number) => (k + 1 < n ? (starts[k + 1] as number) - 1 : text.length);
  return {
    length,
    start,
    at: (k) => (k < 0 || k >= length ? ''
      : text.slice(start(k), end(k) - (end(k) > start(k) && text.charCodeAt(end(k) - 1) === 13 ? 1 : 0))),
    lineOf(offset) {
      let [lo, hi] = [0, length - 1]; // binary search: the last line start at or before `offset`
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        [lo, hi] = start(mid) <= offset ? [mid, hi] : [lo, mid - 1];
      }
      return lo;
    },
  };
}

// A load holds the file's bytes, its text and its line table (4 bytes a line, 8 while it grows) and headings
// (at most 10,000): it is charged its size or 16 bytes a line, whichever is more; a cached one holds the text
// (up to 2 bytes a character) and the table.
const LINE_BYTES = 16;
const PIECE = 1 << 20;
const REDACT_CHARS = 1 << 16; // a few ms of redaction where every record holds a hint (256 K took 16-50 ms)
// Where a document may be cut into pieces redacted one by one: served secrets hold no blank, so a cut after one
// splits none, except in a key block's first or last line (no cut near "---", PuTTY, Private-), whose body
// `carry` follows into the next piece. No served secret, key header or URL credential holds " < > { } | ^ or `
// either, so a long line without blanks (minified JSON, SVG, HTML) is cut after one of those.
const CUT = /\n|(?<!(?:---|PuTTY|Private-)[^\n]{0,64})[ \t](?![^\n]{0,64}(?:---|PuTTY))|["<>{}|^`]/g;

/** `text` as served, redacted about 64 K characters per step; the same string when nothing changed. */
async function redactInPieces(text: string, tick: () => Promise<void>): Promise<string> {
  const pieces: string[] = [];
  const carry = { open: false };
  let changed = false; // most documents hold no secret: keep their text rather than a second copy of it
  for (let at = 0, end = 0; at < text.length; at = end) {
    await tick();
    CUT.lastIndex = at + REDACT_CHARS;
    end = (CUT.exec(text)?.index ?? text.length) + 1;
    const piece = text.slice(at, end);
    pieces.push(redactDocument(piece, carry));
    changed ||= pieces[pieces.length - 1] !== piece;
  }
  return changed ? pieces.join('') : text;
}

/** The first `size` bytes of `open`, read a MiB per step (one read of 64 MiB holds the loop), and their line count. */
async function readPieces(open: OpenDocument, size: number, tick: () => Promise<void>) {
  const bytes = new Uint8Array(size);
  let lines = 1;
  for (let at = 0, want = 0; at < size; at += want) {
    await tick();
    want = Math.min(PIECE, size - at);
    const piece = await readRange(open, at, want, bytes.subarray(at));
    for (let i = 0; i < piece.length; i++) if (piece[i] === 10) lines++;
    if (piece.length < want) return { bytes: bytes.subarray(0, at + piece.length), lines }; // it shrank
  }
  return { bytes, lines };
}

export type DocumentCache = {
  /** A whole file's bytes as served text (redacted when the cache redacts), or null when not UTF-8 text. */
  readonly decode: (bytes: Uint8Array, tick?: () => Promise<void>) => Promise<string | null>;
  /** Runs `work` on the first `size` bytes of `open`, read once, a piece per tick, charged their size on the memory
   * budget and topped up to 16 bytes a line before a line table is built (read again when the top-up must wait). */
  readonly withBytes: <T>(open: OpenDocument, size: number, signal: AbortSignal | undefined,
    work: (bytes: Uint8Array, tick: () => Promise<void>) => Promise<T>, tick?: () => Promise<void>) => Promise<T>;
  readonly load: (c: Confinement, path: ConfinedPath, signal?: AbortSignal) => Promise<TextDocument>;
  /** The same, from a document the caller already opened and checked (and will close). */
  readonly loadOpen: (open: OpenDocument, signal?: AbortSignal) => Promise<TextDocument>;
  /** The served text: a cached document's, or for a file too large to cache, the text alone (no lines). */
  readonly text: (open: OpenDocument, signal?: AbortSignal) => Promise<string>;
  /** A slicer's tick for a call: yields to the event loop every few ms, then throws once `signal` stopped it. */
  readonly ticker: (signal?: AbortSignal) => () => Promise<void>;
  /** Whether a file that is not text may go out as raw bytes: files.binary "blob", and no secret-like pattern
   * in them (raw bytes cannot be redacted), so doc_info hashes and resources/read serves the same files. */
  readonly servesRaw: (bytes: Uint8Array, tick?: () => Promise<void>) => Promise<boolean>;
};

export function createDocumentCache(
  maxBytes: number, memory: MemoryBudget = createMemoryBudget(Infinity), redact = false,
  host?: Pick<Host, 'now' | 'yieldNow'>, binary: 'refuse' | 'blob' = 'blob',
): DocumentCache {
  const entries = new Map<string, { readonly key: string; readonly doc: TextDocument; readonly bytes: number }>();
  let held = 0;
  const decode = async (bytes: Uint8Array, tick = () => Promise.resolve()): Promise<string | null> => {
    const text = await decodeInSlices(bytes, tick); // a slice at a time: a file may be 64 MiB
    return text === null || !redact ? text : redactInPieces(text, tick);
  };
  const textOf = async (bytes: Uint8Array, tick: () => Promise<void>): Promise<string> => {
    const text = await decode(bytes, tick);
    if (text === null) throw failure('binary', 'Cannot read as text: the document is binary or not valid UTF-8');
    return text;
  };
  const ticker = (signal = new AbortController().signal) =>
    host ? createSlicer(host, signal).tick : () => Promise.resolve();
  const withBytes: DocumentCache['withBytes'] = async (open, size, signal, work, tick = ticker(signal)) => {
    for (let charge = size; ;) {
      const out = await memory.use(charge, signal, async (more) => {
        const { bytes, lines } = await readPieces(open, size, tick);
        const need = Math.max(size, lines * LINE_BYTES);
        return need <= charge || more(need - charge) ? { done: await work(bytes, tick) } : { need };
      });
      if ('done' in out) return out.done;
      charge = out.need; // over limits.memoryBytes alone: refused naming it
    }
  };
  const latin1 = new TextDecoder('latin1');
  return {
    decode,
    withBytes,
    async servesRaw(bytes, tick = () => Promise.resolve()) {
      if (binary !== 'blob' || !redact) return binary === 'blob';
      const parts: string[] = [];
      for (let at = 0; at < bytes.length; at += PIECE / 4) {
        await tick();
        parts.push(latin1.decode(bytes.subarray(at, at + PIECE / 4))); // one character per byte
      }
      const raw = parts.join('');
      return (await redactInPieces(raw, tick)) === raw;
    },
    ticker,
    async load(c, path, signal) {
      // Always open and check the descriptor (confinement is re-proven on every call), but only
      // read the bytes when the file's identity changed.
      const open = await openConfined(c, path);
      return this.loadOpen(open, signal).finally(() => open.handle.close().catch(() => undefined));
    },
    async text(open, signal) {
      if (open.stat.size <= maxBytes / 4) return (await this.loadOpen(open, signal)).text;
      return withBytes(open, open.stat.size, signal, textOf); // its line table is the reader's: charged the same
    },
    async loadOpen(open, signal) {
      const { path, stat } = open;
      const key = fingerprint(stat);
      const hit = entries.get(path.abs);
      if (hit && hit.key === key) {
        entries.delete(path.abs); // refresh LRU position
        entries.set(path.abs, hit);
        return { ...hit.doc, path };
      }
      // The bytes, their text and its lines are held together: the whole load waits its turn. Each step
      // goes a slice at a time, so other calls run meanwhile and the call's deadline ends it.
      const doc = await withBytes(open, stat.size, signal, async (bytes, tick): Promise<TextDocument> => {
        const text = await textOf(bytes, tick);
        const lines = await lineTable(text, tick); // the decoder has dropped a byte order mark
        const format = formatOf(path.rel);
        return { path, stat, text, lines, format, headings: await parseHeadingsInSlices(lines, format, tick) };
      });
      held -= hit?.bytes ?? 0; // a stale entry of this path
      entries.delete(path.abs);
      if (stat.size <= maxBytes / 4) {
        const bytes = Math.max(stat.size * 2, stat.size + doc.lines.length * LINE_BYTES);
        entries.set(path.abs, { key, doc, bytes });
        held += bytes;
        for (const [k, e] of entries) {
          if (held <= maxBytes) break;
          entries.delete(k);
          held -= e.bytes;
        }
      }
      return doc;
    },
  };
}
