// The searchable corpus of each root: a snapshot of its servable files (taken by the confined walker,
// reused for SNAPSHOT_TTL_MS) and a byte-bounded cache of their texts and outlines keyed by file
// identity. A cached text was read through openConfined, so the cache never holds a denied or
// out-of-root file; a changed file is re-read, a new one appears and a deleted one disappears on the
// first call made after the snapshot expires.
import type { Root } from '../policy/resolver.ts';
import { splitLines, type DocumentCache } from '../document/document.ts';
import { formatOf, parseHeadings, type Heading } from '../formats/headings.ts';
import { isTextMediaType, mediaTypeOf } from '../formats/media_type.ts';
import { readConfinedFile, rootFolder, type Confinement, type ConfinedPath } from '../policy/resolver.ts';
import { walk } from '../policy/walker.ts';
import type { RankMemo } from './word_rank.ts';
import { createMemoryBudget } from '../sched/memory_budget.ts';

export const SNAPSHOT_TTL_MS = 1500;
const SCRATCH_BYTES = 1024 * 1024; // read buffer reused across files; larger files get their own

export type CorpusEntry = {
  readonly path: ConfinedPath;
  readonly size: number;
  readonly links: number;
  readonly mtimeMs: number;
  readonly key: string;
};
export type Snapshot = { readonly files: readonly CorpusEntry[] };

export type SnapshotOptions = {
  readonly confinement: Confinement;
  readonly root: Root;
  readonly maxDepth: number;
  readonly maxVisited: number;
  readonly signal: AbortSignal;
};

export type SearchCorpus = {
  /** Every servable file of the root, in path order (walk order). */
  readonly snapshot: (o: SnapshotOptions) => Promise<Snapshot>;
  /**
   * The same files, handed to `visit` one by one as the walk finds them (`visit` returns false to
   * stop), so a search that fills its page early never waits for the rest of the tree. A fresh
   * snapshot serves directly; a walk that runs to its end becomes the snapshot.
   */
  readonly stream: (o: SnapshotOptions, visit: (entry: CorpusEntry) => Promise<boolean>) => Promise<void>;
  /** The snapshot a call within the last SNAPSHOT_TTL_MS took with the same limits, or null. */
  readonly fresh: (o: SnapshotOptions) => Snapshot | null;
  /** The file's text (decoded between the caller's `tick`s), or null when binary, not text or refused now. */
  readonly text: (c: Confinement, entry: CorpusEntry, signal?: AbortSignal, tick?: () => Promise<void>) =>
    Promise<string | null>;
  /** Headings of a text already fetched with `text`. */
  readonly headings: (entry: CorpusEntry, text: string) => readonly Heading[];
  /**
   * Words mode's memo for a text already fetched with `text`, kept with the cached text (same file
   * identity, same text, so the same counts and sections), or null when that text is not cached.
   */
  readonly rankMemo: (entry: CorpusEntry, text: string) => RankMemo | null;
  /** Whether a text of `size` would be kept with at most `max` characters held (a warm-up reads only those). */
  readonly room: (size: number, max: number) => boolean;
};

type Cached = { readonly key: string; readonly text: string; headings: readonly Heading[] | null; memo: RankMemo | null };

/** `decode` turns a file's bytes into its served text (the document cache's, so search sees redacted text). */
export function createSearchCorpus(
  cacheChars: number, now: () => number, decode: DocumentCache['decode'],
  memory = createMemoryBudget(Infinity),
): SearchCorpus {
  const snapshots = new Map<string, { readonly at: number; readonly limits: string; readonly snap: Snapshot }>();
  const texts = new Map<string, Cached>();
  const scratch = new Uint8Array(SCRATCH_BYTES);
  let scratchFree = true;
  let held = 0;

  function remember(abs: string, entry: Cached): void {
    const old = texts.get(abs);
    if (old) {
      held -= old.text.length;
      texts.delete(abs);
    }
    if (entry.text.length > cacheChars / 8) return; // one huge file must not flush the cache
    texts.set(abs, entry);
    held += entry.text.length;
    for (const [k, e] of texts) {
      if (held <= cacheChars) break;
      texts.delete(k); // Map order is insertion order: the oldest entries go first
      held -= e.text.length;
    }
  }

  /** The cache entry of exactly this text of this file, which may keep what is derived from it. */
  function holding(entry: CorpusEntry, text: string): Cached | null {
    const hit = texts.get(entry.path.abs);
    return hit && hit.key === entry.key && hit.text === text ? hit : null;
  }

  const limitsOf = (o: SnapshotOptions) => `${o.maxDepth}:${o.maxVisited}`;
  function fresh(o: SnapshotOptions): Snapshot | null {
    const cached = snapshots.get(o.root.name);
    return cached && cached.limits === limitsOf(o) && now() - cached.at < SNAPSHOT_TTL_MS ? cached.snap : null;
  }

  /** Walks the root now, handing each file to `visit`; the snapshot when the walk ran to its end. */
  async function walkRoot(o: SnapshotOptions, visit: (entry: CorpusEntry) => Promise<boolean>): Promise<Snapshot | null> {
    const files: CorpusEntry[] = [];
    const r = await walk(o.confinement, rootFolder(o.root), {
      maxDepth: o.maxDepth, maxVisited: o.maxVisited, signal: o.signal, keep: (p) => p.kind === 'file',
    }, (e) => {
      const key = `${e.size}:${e.mtimeMs}:${e.fileId ?? ''}`;
      const entry = { path: e.path, size: e.size, links: e.links, mtimeMs: e.mtimeMs, key };
      files.push(entry);
      return visit(entry);
    });
    if (r.truncated) return null; // stopped early by `visit`: not every file was seen
    const snap = { files };
    snapshots.set(o.root.name, { at: now(), limits: limitsOf(o), snap });
    return snap;
  }

  return {
    fresh,
    async stream(o, visit) {
      const cached = fresh(o);
      if (!cached) return void (await walkRoot(o, visit)); // stopped early: no snapshot, the next call walks
      for (const f of cached.files) if (!(await visit(f))) return;
    },
    async snapshot(o) {
      return fresh(o) ?? ((await walkRoot(o, async () => true)) as Snapshot); // never stopped early: complete
    },
    async text(c, entry, signal, tick = () => Promise.resolve()) {
      const hit = texts.get(entry.path.abs);
      if (hit && hit.key === entry.key) return hit.text;
      if (!isTextMediaType(mediaTypeOf(entry.path.rel))) return null;
      let text: string | null;
      // The scratch buffer has one holder at a time: a concurrent search reads into its own buffer, so
      // no text is ever decoded from bytes another call wrote.
      const lent = scratchFree ? scratch : undefined;
      scratchFree = false;
      try {
        const read = async () => decode((await readConfinedFile(c, entry.path, lent)).bytes, tick);
        text = await memory.use(entry.size, signal, read);
      } catch (err) {
        if (signal?.aborted) throw err;
        return null; // refused, gone since the walk, or over the memory budget: skipped, as a listing would skip it
      } finally {
        if (lent !== undefined) scratchFree = true;
      }
      if (text !== null) remember(entry.path.abs, { key: entry.key, text, headings: null, memo: null });
      return text;
    },
    headings(entry, text) {
      const hit = holding(entry, text);
      if (hit?.headings) return hit.headings;
      const headings = parseHeadings(splitLines(text), formatOf(entry.path.rel));
      if (hit) hit.headings = headings;
      return headings;
    },
    rankMemo(entry, text) {
      const hit = holding(entry, text);
      return hit ? (hit.memo ??= { counts: new Map(), bySection: new Map(), index: null }) : null;
    },
    room: (size, max) => size <= cacheChars / 8 && held + size <= Math.min(cacheChars, max),
  };
}
