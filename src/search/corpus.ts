// The searchable corpus of each root: a snapshot of its servable files (taken by the confined walker, reused
// for SNAPSHOT_TTL_MS, then rechecked by lstat) and a byte-bounded cache of their texts and what is derived
// from them (headings, section index, term counts), keyed by file identity and charged together against one cap.
// A cached text was read through openConfined, so the cache never holds a denied or out-of-root file; changed,
// new and deleted files are seen by the first call after expiry.
import type { Root } from '../policy/resolver.ts';
import { lineTable, type DocumentCache } from '../document/document.ts';
import { formatOf, parseHeadingsInSlices, type Heading } from '../formats/headings.ts';
import { isTextMediaType, mediaTypeOf } from '../formats/media_type.ts';
import { closeOf, openConfined, rootFolder, type Confinement, type ConfinedPath } from '../policy/resolver.ts';
import { walk } from '../policy/walker.ts';
import type { RankMemo } from './word_rank.ts';
import { buildTermIndex, MAX_INDEXED } from './term_index.ts';
import { indexSections, type SectionIndex } from './sections.ts';
import { createSlicer } from '../sched/slice.ts';
import type { FileStat } from '../runtime/host.ts';

export const SNAPSHOT_TTL_MS = 1500;
const RACY_MS = 2000; // a folder changed this recently may change again unseen (timestamp granularity)

export type CorpusEntry = {
  readonly path: ConfinedPath; readonly size: number; readonly links: number; readonly mtimeMs: number;
  readonly key: string;
};
export type Snapshot = { readonly files: readonly CorpusEntry[] };
export type SnapshotOptions = {
  readonly confinement: Confinement; readonly root: Root; readonly maxDepth: number; readonly maxVisited: number;
  readonly signal: AbortSignal;
};
export type SearchCorpus = ReturnType<typeof createSearchCorpus>;

type Taken = { at: number; limits: string; snap: Snapshot; folders: string[][] | null }; // [path, identity] or null
const folderKey = (st: Pick<FileStat, 'size' | 'mtimeMs'> | null) => (st ? `${st.size}:${st.mtimeMs}` : 'gone');

type Cached = {
  readonly key: string; readonly text: string; cost: number;
  headings: readonly Heading[] | null; index: SectionIndex | null; memo: RankMemo | null;
};
const HEADING_BYTES = 64; // a heading object and its title string's header
const ENTRY_CHARS = 256; // a cached text's entry, key and map slot: 44,000 empty files are not free (outside attack)

/** `docs` reads a file under the memory budget and decodes it into its served text (search sees redacted text). */
export function createSearchCorpus(
  cacheChars: number, now: () => number, docs: Pick<DocumentCache, 'decode' | 'withBytes'>,
) {
  const snapshots = new Map<string, Taken>();
  const texts = new Map<string, Cached>();
  let held = 0;

  const drop = (abs: string): void => void (held -= texts.get(abs)?.cost ?? 0, texts.delete(abs));
  /** Adds `units` (characters, or bytes of what is derived from them) to a cached text's charge; whatever is over
   * the cap goes, oldest first, and an entry over an eighth of the cap goes at once (it must not flush the cache). */
  function charge(abs: string, entry: Cached, units: number): void {
    entry.cost += units;
    held += units;
    if (entry.cost > cacheChars / 8) drop(abs);
    for (const [k] of texts) {
      if (held <= cacheChars) break;
      drop(k); // Map order is insertion order: the oldest entries go first
    }
  }
  function remember(abs: string, text: string, key: string): void {
    drop(abs);
    const entry: Cached = { key, text, cost: 0, headings: null, index: null, memo: null };
    texts.set(abs, entry);
    charge(abs, entry, text.length + ENTRY_CHARS);
  }

  /** The cache entry of exactly this text of this file, which may keep what is derived from it. */
  function holding(entry: CorpusEntry, text: string): Cached | null {
    const hit = texts.get(entry.path.abs);
    return hit && hit.key === entry.key && hit.text === text ? hit : null;
  }

  const limitsOf = (o: SnapshotOptions) => `${o.maxDepth}:${o.maxVisited}`;
  /** The snapshot a call within the last SNAPSHOT_TTL_MS took with the same limits, or null. */
  function fresh(o: SnapshotOptions, t = snapshots.get(o.root.name)): Snapshot | null {
    return t?.limits === limitsOf(o) && now() - t.at < SNAPSHOT_TTL_MS ? t.snap : null;
  }

  /** Walks the root now, handing each file to `visit`; a walk `visit` did not stop becomes the snapshot. */
  async function walkRoot(o: SnapshotOptions, visit: (entry: CorpusEntry) => Promise<boolean>): Promise<void> {
    const files: CorpusEntry[] = [];
    const top = rootFolder(o.root);
    const since = Date.parse(o.confinement.host.wallClockIso()) - RACY_MS;
    // Folder identities, taken before the walk lists them; none after a followed link or a folder changed just now.
    let folders: string[][] | null = [];
    const stamp = (abs: string, st: Pick<FileStat, 'size' | 'mtimeMs'> | null) =>
      void (st === null || st.mtimeMs > since ? (folders = null) : folders?.push([abs, folderKey(st)]));
    stamp(top.abs, await o.confinement.host.stat(top.abs).catch(() => null));
    const r = await walk(o.confinement, top, {
      maxDepth: o.maxDepth, maxVisited: o.maxVisited, signal: o.signal, keep: () => true,
    }, (e) => {
      if (e.path.kind === 'dir') return (stamp(e.path.abs, e), true);
      if (e.path.target !== e.path.rel) folders = null;
      const key = `${e.size}:${e.mtimeMs}:${e.fileId ?? ''}`;
      const entry = { path: e.path, size: e.size, links: e.links, mtimeMs: e.mtimeMs, key };
      files.push(entry);
      return visit(entry);
    });
    if (!r.truncated) snapshots.set(o.root.name, { at: now(), limits: limitsOf(o), snap: { files }, folders });
  }

  /** Whether an expired snapshot still holds: no folder and no file changed identity (stat and lstat only). */
  async function unchanged(o: SnapshotOptions, t: Taken): Promise<boolean> {
    const host = o.confinement.host, slice = createSlicer(host, o.signal);
    for (const [abs, key] of t.folders ?? [['', 'none']]) {
      await slice.tick();
      if (folderKey(await host.stat(abs as string).catch(() => null)) !== key) return false;
    }
    for (const f of t.snap.files) {
      await slice.tick();
      const st = await host.lstat(f.path.abs).catch(() => null); // keyed as the walk keys a file
      if (`${st?.size}:${st?.mtimeMs}:${st?.dev}:${st?.ino}` !== f.key || st?.nlink !== f.links) return false;
    }
    t.at = now();
    return true;
  }

  /** The root's servable files in path order, handed to `visit` as the walk finds them until it returns false:
   * a search that fills its page early never waits for the rest of the tree. A complete walk is the snapshot. */
  async function stream(o: SnapshotOptions, visit: (entry: CorpusEntry) => Promise<boolean>): Promise<void> {
    const t = snapshots.get(o.root.name);
    const stale = t?.limits !== limitsOf(o) || (now() - t.at >= SNAPSHOT_TTL_MS && !(await unchanged(o, t)));
    if (stale || !t) return walkRoot(o, visit);
    for (const f of t.snap.files) if (!(await visit(f))) return;
  }

  /** Headings of a text already fetched with `text`, its lines found and scanned between `tick`s. */
  async function headings(entry: CorpusEntry, text: string, tick: () => Promise<void>): Promise<readonly Heading[]> {
    const hit = holding(entry, text);
    if (hit?.headings) return hit.headings;
    const found = await parseHeadingsInSlices(await lineTable(text, tick), formatOf(entry.path.rel), tick);
    if (hit) hit.headings = found;
    if (hit) charge(entry.path.abs, hit, found.reduce((n, h) => n + HEADING_BYTES + h.title.length, 0));
    return found;
  }

  return {
    fresh,
    stream,
    /** The file's text (decoded between the caller's `tick`s), or null when binary, not text or refused now. `use`
     * runs on it first, for a text read now while its memory charge is held: what a search holds while matching. */
    async text(c: Confinement, entry: CorpusEntry, signal?: AbortSignal, tick?: () => Promise<void>,
      use = async (_text: string): Promise<void> => undefined) {
      const hit = texts.get(entry.path.abs);
      if (hit && hit.key === entry.key) return (await use(hit.text), hit.text); // in the cache: counted there
      if (!isTextMediaType(mediaTypeOf(entry.path.rel))) return null;
      let text: string | null = null;
      try {
        const open = await openConfined(c, entry.path); // read a MiB per tick, charged its size and line table
        await docs.withBytes(open, open.stat.size, signal, async (bytes, t) => {
          text = await docs.decode(bytes, t);
          if (text !== null) remember(entry.path.abs, text, entry.key);
          if (text !== null) await use(text);
        }, tick).finally(() => closeOf(open));
      } catch (err) {
        if (signal?.aborted || text !== null) throw err; // refused now, or `use` failed: not a load to skip
        return null; // refused, gone since the walk, or over the memory budget: skipped, as a listing would skip it
      }
      return text;
    },
    headings,
    /** Words mode's section index of a text fetched with `text`, built between `tick`s, kept with a cached text. */
    async sections(entry: CorpusEntry, text: string, tick: () => Promise<void>): Promise<SectionIndex> {
      const hit = holding(entry, text);
      if (hit?.index) return hit.index;
      const index = await indexSections(text, await lineTable(text, tick), await headings(entry, text, tick), tick);
      if (hit) hit.index = index;
      if (hit) charge(entry.path.abs, hit, index.bytes);
      return index;
    },
    /** Builds, keeps and charges the word-start index (term_index.ts) of a text fetched with `text` and cached. */
    async terms(entry: CorpusEntry, text: string, tick: () => Promise<void>): Promise<void> {
      const memo = holding(entry, text)?.memo;
      const index = memo && !memo.terms && text.length <= MAX_INDEXED ? await buildTermIndex(text, tick) : null;
      const hit = holding(entry, text); // unless evicted while it was built
      if (!index || !hit?.memo || hit.memo.terms) return;
      (hit.memo.terms = index, charge(entry.path.abs, hit, 8 * index.codes.length));
    },
    /** Words mode's memo of a text fetched with `text` (kept with the cached text), or null when it is not cached. */
    rankMemo(entry: CorpusEntry, text: string): RankMemo | null {
      const hit = holding(entry, text);
      return hit ? (hit.memo ??= { counts: new Map(), bySection: new Map() }) : null;
    },
    /** What the cache holds: characters of text plus bytes of what is derived from them (at most its cap). */
    held: () => held,
    /** This file's text when the cache holds it (no read, no await), else null. */
    cached(entry: CorpusEntry): string | null {
      const hit = texts.get(entry.path.abs);
      return hit?.key === entry.key ? hit.text : null;
    },
    /** Whether a text of `size` would be kept with at most `max` characters held (a warm-up reads only those). */
    room: (size: number, max: number) =>
      size <= cacheChars / 8 && held + size + ENTRY_CHARS <= Math.min(cacheChars, max),
  };
}
