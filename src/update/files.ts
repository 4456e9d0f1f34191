// File operations that keep the install folder consistent: every file is published by writing a
// temporary sibling, fsyncing it, checking its hash and renaming it over the target (atomic on one
// file system), so a reader, or a crash, only ever sees the old complete file or the new one.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { tempNameFor } from './layout.ts';

/** Larger than any plausible bundle; bounds what a mistaken path (a disk image) could make us read. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class UpdateError extends Error {}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unknown';
}

/** A file's identity: which inode it is and which write it saw, so a swapped or rewritten file differs. */
export type FileIdentity = Readonly<{ dev: number; ino: number; size: number; mtimeMs: number }>;
export type FileRead = { readonly bytes: Uint8Array; readonly identity: FileIdentity };

/**
 * The bytes of a regular file, read through one descriptor opened without following a symlink, with the
 * identity of exactly that file; null when it does not exist. Anything else is an UpdateError.
 */
export function readFileIfExists(path: string, what: string): FileRead | null {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO (a manifest.json planted next to the candidate) must not wait for a writer.
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    if (errorCode(err) === 'ELOOP') throw new UpdateError(`Cannot read ${what}: it is a symbolic link (the updater ` +
      `never follows one)`);
    throw new UpdateError(`Cannot read ${what}: ${errorCode(err)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UpdateError(`Cannot read ${what}: not a regular file`);
    if (st.size > MAX_FILE_BYTES) throw new UpdateError(`Cannot read ${what}: larger than ${MAX_FILE_BYTES} bytes`);
    const bytes = new Uint8Array(fs.readFileSync(fd));
    return { bytes, identity: { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } };
  } catch (err) {
    throw err instanceof UpdateError ? err : new UpdateError(`Cannot read ${what}: ${errorCode(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

export function readIfExists(path: string, what: string): Uint8Array | null {
  return readFileIfExists(path, what)?.bytes ?? null;
}

export function readRequired(path: string, what: string): Uint8Array {
  const bytes = readIfExists(path, what);
  if (bytes === null) throw new UpdateError(`Cannot read ${what}: it does not exist`);
  return bytes;
}


/** Permission bits of a file, or null when it does not exist. */
export function modeOf(path: string): number | null {
  try {
    return fs.lstatSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/** Makes a rename or unlink in `dir` durable. Some platforms cannot fsync a folder; that is not fatal. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort: the rename itself is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Step 1 of a publish: writes `bytes` to the target's temporary sibling, fsyncs it, checks its hash. */
export function writeTemp(target: string, bytes: Uint8Array, mode: number): string {
  const tmp = tempNameFor(target);
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fchmodSync(fd, mode); // the open mode is filtered by the umask; the file gets exactly `mode`
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const written = readRequired(tmp, 'the temporary file');
  if (sha256Hex(written) !== sha256Hex(bytes)) {
    fs.rmSync(tmp, { force: true });
    throw new UpdateError('Cannot write file: the temporary copy does not read back identical (disk full or failing?)');
  }
  return tmp;
}

/** Step 2 of a publish: the rename that makes the new file visible, in one atomic step. */
export function commitTemp(tmp: string, target: string): void {
  fs.renameSync(tmp, target);
  fsyncDir(dirname(target));
}

export function writeAtomic(target: string, bytes: Uint8Array, mode: number): void {
  commitTemp(writeTemp(target, bytes, mode), target);
}

export function removeFile(path: string): void {
  fs.rmSync(path, { force: true });
  fsyncDir(dirname(path));
}

export function exists(path: string): boolean {
  return fs.existsSync(path);
}
