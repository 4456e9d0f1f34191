// Walks a confined folder by hand (never readdir({recursive}): it follows directory symlinks).
// Applies the same rules as resolvePath, so a listing never shows what a read would refuse, and caps
// depth, entries visited and time (docs/security.md, "Path resolution").
import { failure } from '../errors/failure.ts';
import { childOf, isRootFolder, rootRelative, targetAllowed, type Confinement, type ConfinedPath } from './resolver.ts';
import type { FileStat } from '../runtime/host.ts';
import { createSlicer, throwIfStopped } from '../sched/slice.ts';
import { extensionAllowed, relPathAllowed, segmentAllowed } from './path_rules.ts';

export type WalkEntry = {
  readonly path: ConfinedPath;
  readonly depth: number;
  readonly size: number;
  readonly links: number;
  readonly mtimeMs: number;
  /** "dev:inode" of the walk's own lstat, a cache key (null for a followed link): never a proof of confinement. */
  readonly fileId: string | null;
};

export type WalkOptions = {
  readonly maxDepth: number;
  readonly maxVisited: number;
  readonly signal: AbortSignal;
  /** Skip a folder's subtree (client-root narrowing, path filters). */
  readonly enterDir?: (rel: string) => boolean;
  /** Keep a file or folder in the output (its `target` is where a followed link points). */
  readonly keep?: (path: ConfinedPath) => boolean;
};

/**
 * Depth-first, entries sorted by name (byte order) so pagination is stable.
 * Calls `visit` for each allowed entry; `visit` returns false to stop early.
 */
export async function walk(
  c: Confinement, start: ConfinedPath, options: WalkOptions, visit: (entry: WalkEntry) => boolean | Promise<boolean>,
): Promise<{ readonly truncated: boolean }> {
  let visited = 0;
  const tooMany = `Cannot finish: the walk visited more than ${options.maxVisited} entries (limits.walkEntries)`;
  const slice = createSlicer(c.host, options.signal);
  async function visitDir(dir: ConfinedPath, depth: number): Promise<boolean> {
    throwIfStopped(options.signal);
    let names: { name: string; kind: string }[];
    try {
      names = await c.host.readdir(dir.abs, options.maxVisited - visited + 1, slice.tick); // one more: the limit trips
    } catch {
      throwIfStopped(options.signal); // the deadline or cancellation while reading, not an unreadable folder
      return true; // unreadable folder: skip silently, as if empty
    }
    if (!(await isRootFolder(c, dir.root))) return true; // the root was swapped (before or during the walk): left out
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      await slice.tick(); // the caller's filters (globs) may be costly per entry
      if (++visited > options.maxVisited) throw failure('limit_reached', tooMany);
      if (!segmentAllowed(c.rules, d.name)) continue;
      const abs = c.host.path.join(dir.abs, d.name);
      // The folder listing already says file or folder; lstat is spent only where it decides something:
      // on links and entries of unknown type (some filesystems do not report types), and on entries
      // the caller keeps, which need size, date and link count. A find over 9,000 names then costs a
      // few dozen lstat calls, not 9,000.
      let kind = d.kind;
      let st: FileStat | null = null;
      let own: FileStat | null = null; // the entry itself, before any symlink is followed
      let target = abs; // what a read opens: for a followed link, its in-root target
      let linkTarget: string | undefined; // and that target root-relative, for the rules that judge it
      if (kind !== 'file' && kind !== 'dir') {
        st = await c.host.lstat(abs).catch(() => null);
        if (st === null) continue;
        own = st;
        kind = st.kind;
        if (kind === 'symlink') {
          if (c.symlinks === 'deny') continue;
          try {
            const real = await c.host.realpath(abs);
            st = await c.host.stat(real);
            target = real;
            linkTarget = rootRelative(c, dir.root, real);
            if (!targetAllowed(c, dir.root, real, st.kind)) continue;
          } catch {
            continue;
          }
          // Symlinked folders are not descended: it would allow loops and double counting.
          if (st.kind !== 'file') continue;
          kind = 'file';
        }
        if (kind !== 'file' && kind !== 'dir') continue;
      }
      if (kind === 'file' && !extensionAllowed(c.rules, d.name)) continue;
      const child = childOf(dir, d.name, target, kind, linkTarget);
      if ([child.rel, child.target].some((p) => !relPathAllowed(c.rules, p, kind === 'dir'))) continue;
      if (kind === 'dir' && options.enterDir && !options.enterDir(child.rel)) continue;
      if (!options.keep || options.keep(child)) {
        if (st === null) {
          st = own = await c.host.lstat(abs).catch(() => null);
          if (st === null || st.kind !== kind) continue; // gone or replaced since the folder was listed: left out
        }
        if (kind === 'file' && st.nlink > 1 && !c.hardLinks) continue;
        const fileId = own?.kind === 'file' ? `${own.dev}:${own.ino}` : null;
        const go = await visit({ path: child, depth, size: st.size, links: st.nlink, mtimeMs: st.mtimeMs, fileId });
        if (!go) return false;
      }
      if (kind === 'dir' && depth < options.maxDepth && !(await visitDir(child, depth + 1))) return false;
    }
    return true;
  }
  return { truncated: !(await visitDir(start, 1)) };
}
