// The one Host implementation, built on node:* modules. Deno runs it through its Node compatibility
// layer, so both runtimes share this code; runtime/detect.ts tells them apart where they differ.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { AppendFile, DirEntry, FileKind, FileStat, Host, ReadHandle } from './host.ts';
import { detectRuntime } from './detect.ts';
import { denoStdoutWriter, readDenoStdin, type StdinControl } from './deno_stdio.ts';
import { orNull } from './permissions.ts';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_WRONLY, O_APPEND, O_CREAT } = fs.constants;
const OPEN_READ_FLAGS = O_RDONLY | (O_NOFOLLOW ?? 0) | (O_NONBLOCK ?? 0) | (O_NOCTTY ?? 0);
// The audit log's name is never followed: a link planted there (to ~/.bashrc) would take records the client wrote.
const OPEN_APPEND_FLAGS = O_WRONLY | O_APPEND | O_CREAT | (O_NOFOLLOW ?? 0) | (O_NONBLOCK ?? 0) | (O_NOCTTY ?? 0);

function kindOf(s: fs.Dirent | fs.BigIntStats): FileKind {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFIFO()) return 'fifo';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'device';
  if (s.isSocket()) return 'socket';
  return 'other';
}

function toStat(s: fs.BigIntStats): FileStat {
  return {
    kind: kindOf(s), size: Number(s.size), mtimeMs: Number(s.mtimeMs), dev: s.dev, ino: s.ino, nlink: Number(s.nlink),
    mode: Number(s.mode), uid: Number(s.uid),
  };
}

function openAppend(path: string): AppendFile {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_APPEND_FLAGS, 0o600);
  } catch (err) {
    // Create the folder only when missing: probing it first would need more permissions under Deno.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(nodePath.dirname(path), { recursive: true, mode: 0o700 });
    fd = fs.openSync(path, OPEN_APPEND_FLAGS, 0o600);
  }
  const opened = fs.fstatSync(fd); // a FIFO, device or second name of another file is not a log
  if (!opened.isFile() || opened.nlink !== 1) {
    fs.closeSync(fd);
    throw Object.assign(new Error(`${path} is not a regular file with one name`), { code: 'EINVAL' });
  }
  let blind = false;
  return {
    append(line) {
      const buf = Buffer.from(line, 'utf8');
      for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off);
    },
    size: () => fs.fstatSync(fd).size, // other processes sharing the log append too
    mode: () => Number(fs.fstatSync(fd).mode) & 0o7777, owner: () => fs.fstatSync(fd).uid,
    lastLine() {
      try {
        const rfd = fs.openSync(path, OPEN_READ_FLAGS); // never a link, never blocking on a FIFO swapped in
        try {
          if (fs.fstatSync(rfd).ino !== fs.fstatSync(fd).ino) return undefined; // another process rotated ours away
          const size = fs.fstatSync(rfd).size, from = Math.max(0, size - (1 << 20)), buf = Buffer.alloc(size - from);
          fs.readSync(rfd, buf, 0, buf.length, from);
          const end = buf[buf.length - 1] === 10 ? buf.length - 1 : buf.length, nl = buf.lastIndexOf(10, end - 1);
          return size === 0 ? null : nl >= 0 || from === 0 ? buf.subarray(nl + 1, end) : undefined;
        } finally {
          fs.closeSync(rfd);
        }
      } catch {
        return undefined; // a sandbox may grant write only (rotation off): this run is not chained to the last
      }
    },
    current() {
      try {
        const own = fs.fstatSync(fd), named = blind ? own : fs.statSync(path, { throwIfNoEntry: false });
        // Ours renamed, and the name empty or free: a rotating process has yet to write its first record there.
        return (named?.ino === own.ino && named.dev === own.dev) || (own.nlink > 0 && !named?.size);
      } catch {
        return (blind = true); // a write-only grant cannot tell (nor rotate): asked once, not per record
      }
    },
    close: () => fs.closeSync(fd),
  };
}

function renameFile(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// File-system calls are synchronous on purpose: local metadata calls take microseconds, while a trip
// through libuv's thread pool costs far more; long walks yield to the event loop explicitly (yieldNow).
// Deno refuses /proc/self/fd without --allow-all, so it is not even asked there.
const FD_PATHS = process.platform === 'linux' && detectRuntime().name === 'node';
const FOLDER_READ_YIELDS = detectRuntime().name === 'node'; // docs/security.md, "Memory": Deno reads folders whole

/** Asked once: the permission model refuses the links unless launched with their grant. */
let descriptorLocationsKnown: boolean | null = null;
function descriptorLocations(): boolean {
  return (descriptorLocationsKnown ??=
    FD_PATHS && [0, 1, 2].some((fd) => orNull(() => fs.readlinkSync(`/proc/self/fd/${fd}`)) !== null));
}

async function openRead(path: string): Promise<ReadHandle> {
  const fd = fs.openSync(path, OPEN_READ_FLAGS);
  let open = true;
  return {
    location() {
      // Not asked per file where the sandbox refuses it: each refusal would throw on the hot path.
      return descriptorLocations() ? orNull(() => fs.readlinkSync(`/proc/self/fd/${fd}`)) : null;
    },
    stat: async () => toStat(fs.fstatSync(fd, { bigint: true })),
    read: async (into, position) => fs.readSync(fd, into, 0, into.length, position),
    close: async () => {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

// Deno without environment access cannot tell; the caller treats null as unknown.
const homeDir = (): string | null => orNull(() => os.homedir() || null);

export function createNodeHost(): Host {
  const runtime = detectRuntime();
  let stdoutGone: (() => void) | null = null;
  let denoStdin: StdinControl | null = null;
  const goneNow = () => (stdoutGone ? stdoutGone() : process.exit(0));
  // EPIPE (or any write error) on stdout means the client is gone (docs/protocol.md, "Framing on stdio").
  process.stdout.on('error', goneNow);
  const denoWrite = runtime.name === 'deno' ? denoStdoutWriter(goneNow) : null;
  return {
    runtime: runtime.name, runtimeVersion: runtime.version, platform: process.platform, descriptorLocations,
    argv: process.argv.slice(2), cwd: () => process.cwd(), homeDir,
    uid: () => orNull(() => process.getuid?.() ?? null), // Deno's asks --allow-sys, which launch lines deny
    path: nodePath, // pure string functions: no capability
    lstat: async (p) => toStat(fs.lstatSync(p, { bigint: true })),
    stat: async (p) => toStat(fs.statSync(p, { bigint: true })),
    realpath: async (p) => fs.realpathSync.native(p), readlink: async (p) => fs.readlinkSync(p),
    // Read entry by entry, `tick` after each (it yields), stopped at `max`: a million names are never held whole.
    async readdir(p, max = Infinity, tick = (_count: number) => Promise.resolve()): Promise<DirEntry[]> {
      const dir = fs.opendirSync(p);
      const out: DirEntry[] = [];
      try {
        for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
          if (out.push({ name: d.name, kind: kindOf(d) }) >= max) break;
          if (FOLDER_READ_YIELDS) await tick(out.length);
        }
      } finally {
        dir.closeSync();
      }
      return out;
    },
    yieldNow: () => new Promise<void>((resolve) => setImmediate(resolve)), openRead,
    readSelf: () => orNull(() => new Uint8Array(fs.readFileSync(fileURLToPath(import.meta.url)))),
    openAppend, renameFile,
    sha256Hex: (d) => createHash('sha256').update(d).digest('hex'), sha256: () => createHash('sha256'),
    hmacSha256Hex: (key, d) => createHmac('sha256', key).update(d).digest('hex'), now: () => performance.now(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)), wallClockIso: () => new Date().toISOString(),
    setTimer(ms, fn) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    pid: process.pid, stdinIsTty: () => Boolean(process.stdin.isTTY),
    onStdin(onChunk, onEnd) {
      denoStdin = runtime.name === 'deno' ? readDenoStdin(onChunk, onEnd) : null;
      if (denoStdin) return;
      process.stdin.on('data', (chunk: Buffer) => onChunk(chunk));
      process.stdin.on('end', onEnd);
      process.stdin.on('error', onEnd);
    },
    pauseStdin: () => (denoStdin ? denoStdin.pause() : void process.stdin.pause()),
    resumeStdin: () => (denoStdin ? denoStdin.resume() : void process.stdin.resume()),
    writeStdout(text) {
      if (denoWrite) return denoWrite(text);
      if (process.stdout.write(text)) return Promise.resolve();
      return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
    },
    stdoutFlushed: () => denoWrite || process.stdout.writableLength === 0 ? Promise.resolve()
      : new Promise((resolve) => void process.stdout.write('', () => resolve())), // after all before it
    writeStderr: (text) => void process.stderr.write(text), onStdoutGone: (fn) => void (stdoutGone = fn),
    onSignal: (sig, fn) => void process.on(sig, fn), exit: (code) => process.exit(code),
  };
}
