// The install folder belongs to the operator: the updater works only in folders that nobody else can
// change (owned by the running user, not writable by group or others) and never through a symbolic
// link. Otherwise another account could swap the staged, live or previous file between two checks.
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { UpdateError } from './files.ts';

/** The running user's id; null where the platform has none (Windows: ownership is left to its ACLs). */
const myUid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

/**
 * Why a folder is not safe to work in, or null. A folder above the install folder may also belong to
 * root and be world-writable if sticky (like /tmp), where nobody can rename another user's entries.
 */
function problem(st: fs.Stats, above: boolean): string | null {
  if (st.isSymbolicLink()) return 'is a symbolic link (the updater never follows one inside the install folder)';
  if (!st.isDirectory()) return 'is not a folder';
  const me = myUid();
  if (me === null) return null;
  if (st.uid !== me && !(above && st.uid === 0)) return `belongs to uid ${st.uid}, not to you (uid ${me})`;
  const sticky = (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !(above && sticky)) {
    return `is writable by ${(st.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ` +
      `${(st.mode & 0o7777).toString(8)}; chmod go-w it)`;
  }
  return null;
}

function refuse(what: string, path: string, why: string): never {
  throw new UpdateError(`Cannot use ${what} ${JSON.stringify(path)}: it ${why}; the updater works only in folders ` +
    `that you alone can change`);
}

/** Checks the (real) install folder and every folder above it. */
export function checkInstallDir(dir: string): void {
  const own = problem(fs.lstatSync(dir), false);
  if (own !== null) refuse('--install', dir, own);
  for (let cur = dirname(dir); ; cur = dirname(cur)) {
    const why = problem(fs.lstatSync(cur), true);
    if (why !== null) refuse('the folder above --install', cur, why);
    if (dirname(cur) === cur) return;
  }
}

/** Checks a folder inside the install folder (staging/, previous/) when it exists. */
export function checkOwnedDir(path: string, what: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return;
    throw new UpdateError(`Cannot use ${what}: ${String((err as { code?: unknown }).code ?? 'error')}`);
  }
  const why = problem(st, false);
  if (why !== null) refuse(what, path, why);
}

/** Creates a private folder inside the install folder, or checks the one that is there. */
export function ensureOwnedDir(path: string, what: string): void {
  try {
    fs.mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EEXIST') throw new UpdateError(`Cannot create ${what}: ` +
      `${String((err as { code?: unknown }).code ?? 'error')}`);
  }
  checkOwnedDir(path, what);
}
