// Confinement: turns a client's (root, path) into a ConfinedPath, and opens files only through one.
// Implements steps 1-9 of docs/security.md, "Path resolution"; the branded types make reading an
// unchecked path a compile error. This is the only module that calls host.openRead for documents.
import { denied, failure, Failure } from '../errors/failure.ts';
import type { FileKind, FileStat, Host, PathOps, ReadHandle } from '../runtime/host.ts';
import {
  extensionAllowed, isPathProblem, relPathAllowed, segmentAllowed, splitRequestPath, type PathRules,
} from './path_rules.ts';

declare const CONFINED: unique symbol;

/** A configured documentation root, realpathed once at start. */
export type Root = {
  readonly name: string;
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint; // with dev, the folder found at start: every walk and requested path check it is still there
  /** The absolute path as configured, before realpath: a runtime sandbox must grant it too. */
  readonly configured: string;
};

/** A path that passed every confinement rule. Only this module can create one. */
export type ConfinedPath = {
  readonly root: Root;
  /** Root-relative, "/"-separated, NFC; "" for the root itself. */
  readonly rel: string;
  /** Root-relative path of what is opened: `rel` unless a symlink was followed (rules apply to both). */
  readonly target: string;
  readonly abs: string;
  readonly kind: 'file' | 'dir';
  readonly [CONFINED]: true;
};

export type Confinement = {
  readonly host: Host;
  readonly rules: PathRules;
  readonly symlinks: 'deny' | 'within-root';
  readonly hardLinks: boolean;
  readonly maxFileBytes: number;
  /**
   * Production under path-based confinement: folders other users can write (the only ones a swap race
   * can use) are refused unless `allowed` names them (files.writableFolders). Absent: not checked.
   */
  readonly writable?: { readonly allowed: (rel: string) => boolean } | undefined;
};

/** Group- or other-writable, or owned by someone other than the root's owner. */
export function writableByOthers(st: FileStat, rootOwner: number): boolean {
  return (st.mode & 0o022) !== 0 || st.uid !== rootOwner;
}

/** Whether `real` is `root` or inside it (also what the start-up self-audit asks of a grant and a need). */
export function isContained(p: PathOps, root: string, real: string): boolean {
  // Never startsWith(root): "/docs-private" starts with "/docs" (CVE-2025-53110).
  const rel = p.relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + p.sep) && !p.isAbsolute(rel));
}

/** The folders strictly between `root` and the file at `real` (already known to be inside the root). */
function foldersBelow(host: Host, root: string, real: string): string[] {
  const segments = host.path.relative(root, real).split(host.path.sep).slice(0, -1);
  return segments.map((_, i) => host.path.join(root, ...segments.slice(0, i + 1)));
}

/**
 * A followed symlink must land on something a direct request could name: inside the root, every
 * segment of its root-relative target allowed (so `doc.md -> .env` stays hidden), and for a file an
 * allowed extension.
 */
export function targetAllowed(c: Confinement, root: Root, real: string, kind: FileKind): boolean {
  if (!isContained(c.host.path, root.path, real)) return false;
  return relAllowed(c, rootRelative(c, root, real), kind);
}

/** Every name rule (segments, hidden, deny globs, extension) for one root-relative path. */
function relAllowed(c: Confinement, rel: string, kind: FileKind): boolean {
  if (rel === '') return kind === 'dir';
  const segments = rel.split('/');
  if (!segments.every((s) => segmentAllowed(c.rules, s)) || !relPathAllowed(c.rules, rel, kind === 'dir')) return false;
  return kind !== 'file' || extensionAllowed(c.rules, segments[segments.length - 1] as string);
}

export function rootRelative(c: Confinement, root: Root, real: string): string {
  return c.host.path.relative(root.path, real).split(c.host.path.sep).join('/');
}

function brand(root: Root, rel: string, abs: string, kind: 'file' | 'dir', target = rel): ConfinedPath {
  return { root, rel, abs, kind, target } as ConfinedPath;
}

/** The root itself as a confined folder: where a walk of the whole root starts. */
export function rootFolder(root: Root): ConfinedPath {
  return brand(root, '', root.path, 'dir');
}

/** Whether the root's path is still the folder found at start, not another folder or a link swapped in since. */
export async function isRootFolder(c: Confinement, root: Root): Promise<boolean> {
  const st = await c.host.lstat(root.path).catch(() => null);
  return st?.kind === 'dir' && st.dev === root.dev && st.ino === root.ino;
}

/** Maps a syscall error to a hidden denial; never lets a host path reach the client. */
function syscallDenial(err: unknown): Failure {
  if (err instanceof Failure) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ELOOP') return denied('symlink', 'ELOOP on open');
  if (code === 'ENOENT' || code === 'ENOTDIR') return denied('not_found');
  return denied('not_found', `syscall failed: ${typeof code === 'string' ? code : 'permission'}`);
}

/** Steps 2-3: validate the string, then lstat each component under the root. */
export async function resolvePath(c: Confinement, root: Root, requested: string): Promise<ConfinedPath> {
  const segments = splitRequestPath(requested);
  if (isPathProblem(segments)) throw failure('invalid_path', `Invalid path: ${segments.problem}`);
  const rel = segments.join('/');
  for (const s of segments) if (!segmentAllowed(c.rules, s)) throw denied('denied_pattern', `segment refused: ${rel}`);
  if (rel !== '' && !relPathAllowed(c.rules, rel)) throw denied('denied_pattern', `path refused: ${rel}`);
  if (!(await isRootFolder(c, root))) throw denied('swapped', 'the root folder is not the one found at start');
  let current = root.path;
  let kind: 'file' | 'dir' = 'dir';
  let followed = false;
  try {
    for (let i = 0; i < segments.length; i++) {
      if (kind !== 'dir') throw denied('not_found', 'component is not a folder');
      const next = c.host.path.join(current, segments[i] as string);
      let st = await c.host.lstat(next);
      current = next;
      if (st.kind === 'symlink') {
        if (c.symlinks === 'deny') throw denied('symlink', `symlink at ${rel}`);
        const real = await c.host.realpath(next);
        if (!isContained(c.host.path, root.path, real)) throw denied('outside_root', `symlink leaves root at ${rel}`);
        st = await c.host.stat(real);
        if (!targetAllowed(c, root, real, st.kind)) throw denied('denied_pattern', `symlink target refused at ${rel}`);
        current = real;
        followed = true;
      }
      if (st.kind !== 'dir' && st.kind !== 'file') throw denied('not_regular', `${st.kind} at ${rel}`);
      kind = st.kind;
      if (kind === 'file' && st.nlink > 1 && !c.hardLinks) throw denied('hard_link', `hard link at ${rel}`);
    }
  } catch (err) {
    throw syscallDenial(err);
  }
  if (kind === 'file' && !extensionAllowed(c.rules, segments[segments.length - 1] as string)) {
    throw denied('bad_extension', `extension refused: ${rel}`);
  }
  const emptied = kind === 'dir' && rel !== '' && !relPathAllowed(c.rules, rel, true); // a rule denies all it holds
  if (emptied) throw denied('denied_pattern', `folder refused: ${rel}`);
  // Through a folder link the bytes live elsewhere (`alias/x.md` is `internal/x.md`): the rules
  // judge that path too, so no link reaches what a direct request could not.
  const target = followed ? rootRelative(c, root, current) : rel;
  if (target !== rel && !relAllowed(c, target, kind)) throw denied('denied_pattern', `link target refused at ${rel}`);
  return brand(root, rel, current, kind, target);
}

export type OpenDocument = { readonly path: ConfinedPath; readonly stat: FileStat; readonly handle: ReadHandle };
export const closeOf = (open: OpenDocument): Promise<void> => open.handle.close().catch(() => undefined);

/** Steps 4-7: open without following links, check the descriptor, re-check containment and identity. */
export async function openConfined(c: Confinement, path: ConfinedPath): Promise<OpenDocument> {
  if (path.kind !== 'file') throw failure('is_a_directory', 'Cannot read: the path is a folder; use list_docs');
  let handle: ReadHandle;
  try {
    handle = await c.host.openRead(path.abs);
  } catch (err) {
    throw syscallDenial(err);
  }
  try {
    const st = await handle.stat();
    if (st.kind !== 'file') throw denied('not_regular', `${st.kind} on open`);
    if (st.nlink > 1 && !c.hardLinks) throw denied('hard_link', 'hard link on open');
    if (st.dev !== path.root.dev) throw denied('other_device', 'file on another device');
    // Steps 6-7. Best: ask the kernel where the opened descriptor is (race-free). Otherwise by path,
    // which a folder flipped between link and folder within microseconds can race (docs/security.md,
    // "Races"): to pass, a swap must land "link" at the open and at each inode check but "folder" at
    // the realpath and at the folder check between them: four flips in step with our system calls.
    // Measured where this path is taken (race test, 120,000 reads): 23 leaks with realpath and one
    // inode check, 1 with the folder check and second inode check added. Lower odds, not zero.
    const where = handle.location();
    if (where !== null) {
      if (!isContained(c.host.path, path.root.path, where)) {
        throw denied('outside_root', 'descriptor is outside the root');
      }
    } else {
      const real = await c.host.realpath(path.abs);
      if (!isContained(c.host.path, path.root.path, real)) throw denied('outside_root', 'realpath left the root');
      const sameFile = async (): Promise<boolean> => {
        const again = await c.host.stat(real);
        return again.dev === st.dev && again.ino === st.ino;
      };
      if (!(await sameFile())) throw denied('swapped', 'path changed between check and open');
      const owner = c.writable ? (await c.host.lstat(path.root.path)).uid : 0;
      for (const folder of [path.root.path, ...foldersBelow(c.host, path.root.path, real)]) {
        const dir = await c.host.lstat(folder);
        if (dir.kind !== 'dir') throw denied('swapped', 'a folder on the path was replaced');
        const rel = rootRelative(c, path.root, folder) || '.';
        if (c.writable && writableByOthers(dir, owner) && !c.writable.allowed(rel)) {
          throw denied('writable_folder', 'a folder on the path is writable by other users (files.writableFolders)');
        }
      }
      if (!(await sameFile())) throw denied('swapped', 'path changed during the checks');
    }
    // The descriptor is checked against the root's path: a real folder renamed into the root's place passes that.
    if (!(await isRootFolder(c, path.root))) throw denied('swapped', 'the root folder was swapped during the open');
    if (st.size > c.maxFileBytes) {
      const limit = `${c.maxFileBytes}-byte file limit`;
      throw failure('too_large', `Cannot read document: it is ${st.size} bytes, over the ${limit}`);
    }
    return { path, stat: st, handle };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw syscallDenial(err);
  }
}

/** Step 8: read from the descriptor only, never more than `length` bytes. */
export async function readRange(
  doc: OpenDocument, position: number, length: number, scratch?: Uint8Array,
): Promise<Uint8Array> {
  // A caller that decodes at once may lend a scratch buffer: a full scan then allocates no buffer per file.
  const size = Math.max(0, length);
  const buf = scratch !== undefined && scratch.length >= size ? scratch.subarray(0, size) : new Uint8Array(size);
  let off = 0;
  while (off < buf.length) {
    const n = await doc.handle.read(buf.subarray(off), position + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Builds a ConfinedPath for a walker entry already checked with lstat under a confined folder. */
export function childOf(
  parent: ConfinedPath, name: string, abs: string, kind: 'file' | 'dir', target?: string,
): ConfinedPath {
  const join = (p: string) => (p === '' ? name : `${p}/${name}`);
  return brand(parent.root, join(parent.rel), abs, kind, target ?? join(parent.target));
}
