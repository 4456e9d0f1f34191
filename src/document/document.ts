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
  readonly lines: readonly string[];
  readonly format: DocFormat;
  readonly headings: readonly Heading[];
};

export function fingerprint(stat: FileStat): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/** Splits on \n, dropping one \r before it; a final newline does not add an empty line. `tick` runs every
 * 4,096 lines (a file of newlines has one per byte). */
export async function splitLinesInSlices(text: string, tick: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  for (let at = 0; at <= text.length;) {
    if ((lines.length & 4095) === 0) await tick();
    const found = text.indexOf('\n', at); // searched once: this runs for every line of every loaded document
    const nl = found < 0 ? text.length : found;
    lines.push(text.slice(at, nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
    at = nl + 1;
  }
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// A load holds the file's bytes, its text and a table of its lines: one pointer per line and its share of the
// table's growth, 16 bytes (a file of newlines holds 16 times its size there). It is charged the larger.
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
        const lines = await splitLinesInSlices(text, tick); // the decoder has dropped a byte order mark
        const format = formatOf(path.rel);
        return { path, stat, text, lines, format, headings: await parseHeadingsInSlices(lines, format, tick) };
      });
      held -= hit?.bytes ?? 0; // a stale entry of this path
      entries.delete(path.abs);
      if (stat.size <= maxBytes / 4) {
        entries.set(path.abs, { key, doc, bytes: stat.size * 2 });
        held += stat.size * 2;
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
