// One updater at a time per install folder: a lock file holding the owner's pid and a random token.
// It appears atomically, complete (written to a private file, then hard-linked into place: link never
// replaces an existing name), so no updater ever reads a half-written lock and takes it for stale. A
// lock whose pid is gone (a killed updater) is removed only by the one updater that claims it (a link
// named after its content), after checking it is still there: a fresh lock is never moved or deleted.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../cli/launch.ts';
import { readIfExists, sha256Hex, UpdateError } from './files.ts';

export type Lock = { readonly release: () => void };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

const code = (err: unknown): string => String((err as { code?: unknown }).code ?? 'error');

function readLock(path: string): string | null {
  const bytes = readIfExists(path, `the lock ${path}`);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Publishes `content` at `path` only if nothing is there: true when we now hold the lock. */
function tryLink(path: string, content: string): boolean {
  const mine = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  fs.writeFileSync(mine, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(mine, path);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw new UpdateError(`Cannot lock the install folder: ${code(err)}`);
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

export function acquireLock(path: string): Lock {
  const token = `${process.pid} ${randomBytes(12).toString('hex')}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryLink(path, token)) {
      return { release: () => void (readLock(path) === token && fs.rmSync(path, { force: true })) };
    }
    const held = readLock(path);
    if (held === null) continue; // released meanwhile
    const owner = Number.parseInt(held, 10);
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new UpdateError(`Cannot lock the install folder: another updater (pid ${owner}) is running; ` +
        `if it is not, remove ${shellQuote(path)}`);
    }
    // Stale (its owner was killed mid-step). Only the one updater that claims this very lock (a link named
    // after its content) removes it, and only while it is still there: nobody else ever removes a lock.
    const claim = `${path}.claim.${sha256Hex(held).slice(0, 16)}`;
    if (!tryLink(claim, token)) {
      throw new UpdateError('Cannot lock the install folder: another updater is taking over the stale lock; ' +
        `run again when it is done (if none is running, remove ${shellQuote(claim)})`);
    }
    try {
      if (readLock(path) === held) fs.rmSync(path);
    } finally {
      fs.rmSync(claim, { force: true });
    }
  }
  throw new UpdateError(`Cannot lock the install folder: ${path} keeps reappearing`);
}
