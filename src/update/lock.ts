// One updater at a time per install folder: an exclusive lock file holding the owner's pid. A lock
// left by a killed updater (its pid is gone) is taken over, so an interrupted switch never blocks the
// rollback that repairs it.
import * as fs from 'node:fs';
import { UpdateError } from './files.ts';

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

function tryCreate(path: string): boolean {
  try {
    const fd = fs.openSync(path, 'wx', 0o600);
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return false;
    throw new UpdateError(`Cannot lock the install folder: ${String((err as { code?: unknown }).code ?? 'error')}`);
  }
}

export function acquireLock(path: string): Lock {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path)) {
      return { release: () => fs.rmSync(path, { force: true }) };
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(fs.readFileSync(path, 'utf8').trim(), 10);
    } catch {
      // Vanished between the two calls: retry.
    }
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new UpdateError(`Cannot lock the install folder: another updater (pid ${owner}) is running; if it is not, remove ${path}`);
    }
    fs.rmSync(path, { force: true }); // stale: its owner was killed mid-step
  }
  throw new UpdateError(`Cannot lock the install folder: ${path} keeps reappearing`);
}
