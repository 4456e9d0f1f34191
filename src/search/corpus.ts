// The searchable corpus: walks a confined folder and yields each servable text file's content.
// Texts are cached by file identity (size, mtime, inode) within a byte budget; a cached text was read
// through openConfined, so the cache never holds a denied or out-of-root file. A changed file is
// re-read on the next search, a deleted one disappears, a new one appears.
import type { Root } from '../config/load.ts';
import { decodeText } from '../docs/document.ts';
import { isTextMediaType, mediaTypeOf } from '../formats/media_type.ts';
import { readConfinedFile, type Confinement, type ConfinedPath } from '../policy/resolver.ts';
import { walk } from '../policy/walker.ts';
import { createWordIndex, type WordIndex } from './word_index.ts';
import { parseHeadings, formatOf } from '../formats/headings.ts';
import { splitLines } from '../docs/document.ts';

export type CorpusFile = { readonly path: ConfinedPath; readonly text: string; readonly mtimeMs: number };

export type CorpusScan = {
  readonly confinement: Confinement;
  readonly folder: ConfinedPath;
  readonly maxDepth: number;
  readonly maxFiles: number;
  readonly maxVisited: number;
  readonly signal: AbortSignal;
  readonly enterDir: (rel: string) => boolean;
  readonly keepFile: (rel: string) => boolean;
  readonly progress: (done: number, total: number) => void;
};

export type SearchCorpus = {
  /** Files in walk order (sorted by path); stops when `visit` returns false. */
  readonly scan: (s: CorpusScan, visit: (f: CorpusFile) => boolean) => Promise<{ readonly files: number; readonly capped: boolean }>;
  /** The word index of a root, brought up to date for the files under `s.folder`. */
  readonly wordIndex: (root: Root, s: CorpusScan) => Promise<WordIndex>;
};

type Cached = { readonly key: string; readonly text: string };

export function createSearchCorpus(cacheBytes: number): SearchCorpus {
  const texts = new Map<string, Cached>();
  let held = 0;
  const indexes = new Map<string, { index: WordIndex; keys: Map<string, string> }>();

  function remember(abs: string, entry: Cached): void {
    const old = texts.get(abs);
    if (old) {
      held -= old.text.length;
      texts.delete(abs);
    }
    if (entry.text.length > cacheBytes / 8) return;
    texts.set(abs, entry);
    held += entry.text.length;
    for (const [k, e] of texts) {
      if (held <= cacheBytes) break;
      texts.delete(k);
      held -= e.text.length;
    }
  }

  async function textOf(c: Confinement, path: ConfinedPath, key: string): Promise<string | null> {
    const hit = texts.get(path.abs);
    if (hit && hit.key === key) return hit.text;
    if (!isTextMediaType(mediaTypeOf(path.rel))) return null;
    let text: string | null;
    try {
      const { bytes } = await readConfinedFile(c, path);
      text = decodeText(bytes);
    } catch {
      return null; // refused or vanished since the walk: skip, as a listing would
    }
    if (text !== null) remember(path.abs, { key, text });
    return text;
  }

  async function collect(s: CorpusScan): Promise<{ entries: { path: ConfinedPath; key: string; mtimeMs: number }[]; capped: boolean }> {
    const entries: { path: ConfinedPath; key: string; mtimeMs: number }[] = [];
    let capped = false;
    await walk(s.confinement, s.folder, {
      maxDepth: s.maxDepth, maxVisited: s.maxVisited, signal: s.signal, enterDir: s.enterDir,
      keep: (rel, kind) => kind === 'file' && s.keepFile(rel),
    }, (e) => {
      if (entries.length >= s.maxFiles) {
        capped = true;
        return false;
      }
      entries.push({ path: e.path, key: `${e.size}:${e.mtimeMs}`, mtimeMs: e.mtimeMs });
      return true;
    });
    return { entries, capped };
  }

  return {
    async scan(s, visit) {
      const { entries, capped } = await collect(s);
      let done = 0;
      for (const e of entries) {
        if (++done % 64 === 0) {
          await s.confinement.host.yieldNow();
          s.progress(done, entries.length);
        }
        if (s.signal.aborted) s.signal.throwIfAborted();
        const text = await textOf(s.confinement, e.path, e.key);
        if (text === null) continue;
        if (!visit({ path: e.path, text, mtimeMs: e.mtimeMs })) break;
      }
      return { files: entries.length, capped };
    },
    async wordIndex(root, s) {
      let state = indexes.get(root.name);
      if (!state) {
        state = { index: createWordIndex(), keys: new Map() };
        indexes.set(root.name, state);
      }
      const { entries } = await collect(s);
      const seen = new Set<string>();
      let done = 0;
      for (const e of entries) {
        if (++done % 64 === 0) {
          await s.confinement.host.yieldNow();
          s.progress(done, entries.length);
        }
        if (s.signal.aborted) s.signal.throwIfAborted();
        seen.add(e.path.rel);
        if (state.keys.get(e.path.rel) === e.key) continue;
        const text = await textOf(s.confinement, e.path, e.key);
        if (text === null) {
          state.index.remove(e.path.rel);
          state.keys.delete(e.path.rel);
          continue;
        }
        const lines = splitLines(text);
        const headings = parseHeadings(lines, formatOf(e.path.rel));
        state.index.add({ key: e.path.rel, path: e.path.rel, title: headings[0]?.title ?? '', headings: headings.map((h) => h.title), text });
        state.keys.set(e.path.rel, e.key);
      }
      // Files under the scanned folder that no longer exist (or are now refused) leave the index.
      const prefix = s.folder.rel === '' ? '' : s.folder.rel + '/';
      for (const rel of [...state.keys.keys()]) {
        if (rel.startsWith(prefix) && !seen.has(rel)) {
          state.index.remove(rel);
          state.keys.delete(rel);
        }
      }
      return state.index;
    },
  };
}
