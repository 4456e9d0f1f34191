// Loads a confined document as text (strict UTF-8), with its lines and headings, through a small
// byte-bounded cache keyed by the file's identity (dev, inode, size, mtime) so a changed file is re-read.
// `decode` is where document text enters the server: with files.redactSecrets its secrets are redacted
// there, once, so every consumer (pages, ranges, outline, search, snippets, resources) sees only that text.
import { redactDocument } from '../audit/redact.ts';
import { failure } from '../errors/failure.ts';
import { formatOf, parseHeadings, type DocFormat, type Heading } from '../formats/headings.ts';
import { openConfined, readRange, type Confinement, type ConfinedPath, type OpenDocument } from '../policy/resolver.ts';
import type { FileStat } from '../runtime/host.ts';
import { createMemoryBudget, type MemoryBudget } from '../sched/memory_budget.ts';
import { decodeInSlices } from '../sched/slice.ts';

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

/** Splits on \n, dropping one \r before it; a final newline does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export type DocumentCache = {
  /** A whole file's bytes as served text (redacted when the cache redacts), or null when not UTF-8 text. */
  readonly decode: (bytes: Uint8Array, tick?: () => Promise<void>) => Promise<string | null>;
  readonly load: (c: Confinement, path: ConfinedPath, signal?: AbortSignal) => Promise<TextDocument>;
  /** The same, from a document the caller already opened and checked (and will close). */
  readonly loadOpen: (open: OpenDocument, signal?: AbortSignal) => Promise<TextDocument>;
  /** The served text: a cached document's, or for a file too large to cache, the text alone (no lines). */
  readonly text: (open: OpenDocument, signal?: AbortSignal) => Promise<string>;
  /** The shared memory budget every whole-file load waits on (limits.memoryBytes). */
  readonly memory: MemoryBudget;
};

export function createDocumentCache(
  maxBytes: number, memory: MemoryBudget = createMemoryBudget(Infinity), redact = false,
): DocumentCache {
  const entries = new Map<string, { readonly key: string; readonly doc: TextDocument; readonly bytes: number }>();
  let held = 0;
  const decode = async (bytes: Uint8Array, tick = () => Promise.resolve()): Promise<string | null> => {
    const text = await decodeInSlices(bytes, tick); // a slice at a time: a file may be 64 MiB
    return text === null || !redact ? text : redactDocument(text);
  };
  const textOf = async (open: OpenDocument): Promise<string> => {
    const text = await decode(await readRange(open, 0, open.stat.size));
    if (text === null) throw failure('binary', 'Cannot read as text: the document is binary or not valid UTF-8');
    return text;
  };
  return {
    memory,
    decode,
    async load(c, path, signal) {
      // Always open and check the descriptor (confinement is re-proven on every call), but only
      // read the bytes when the file's identity changed.
      const open = await openConfined(c, path);
      return this.loadOpen(open, signal).finally(() => open.handle.close().catch(() => undefined));
    },
    async text(open, signal) {
      if (open.stat.size <= maxBytes / 4) return (await this.loadOpen(open, signal)).text;
      return memory.use(open.stat.size, signal, () => textOf(open));
    },
    async loadOpen(open, signal) {
      const path = open.path;
      const stat = open.stat;
      const key = fingerprint(stat);
      const hit = entries.get(path.abs);
      if (hit && hit.key === key) {
        entries.delete(path.abs); // refresh LRU position
        entries.set(path.abs, hit);
        return { ...hit.doc, path };
      }
      // The bytes, their text and its lines are held together: the whole load waits its turn.
      const doc = await memory.use(stat.size, signal, async (): Promise<TextDocument> => {
        const text = await textOf(open);
        const lines = splitLines(text); // the decoder has dropped a byte order mark
        const format = formatOf(path.rel);
        return { path, stat, text, lines, format, headings: parseHeadings(lines, format) };
      });
      if (hit) {
        held -= hit.bytes;
        entries.delete(path.abs);
      }
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
