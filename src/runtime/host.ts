// The host contract: everything docwarden needs from Node or Deno, as one interface. Only src/runtime/ may
// touch node:*, process or Deno (docs/style.md, "The host behind one adapter"); the rest receives a Host.

export type FileKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'device' | 'socket' | 'other';

export type FileStat = {
  readonly kind: FileKind;
  readonly size: number;
  readonly mtimeMs: number;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly nlink: number;
  readonly mode: number;
  readonly uid: number;
};

export type DirEntry = { readonly name: string; readonly kind: FileKind };

/** An open, read-only descriptor. Reads never follow a path again: they use the descriptor. */
export type ReadHandle = {
  readonly stat: () => Promise<FileStat>;
  readonly read: (into: Uint8Array, position: number) => Promise<number>;
  readonly close: () => Promise<void>;
  /**
   * Where the kernel says the open file is (Linux /proc/self/fd), or null where that cannot be asked
   * (other systems, Deno's sandbox, Node's permission model without a grant for /proc/self/fd/).
   */
  readonly location: () => string | null;
};

/** Append-only file for the audit log: synchronous so no record is lost on exit. */
export type AppendFile = {
  readonly append: (line: string) => void;
  readonly size: () => number;
  /** Permission bits of the open file (fstat on the descriptor: needs no read permission under a sandbox). */
  readonly mode: () => number;
  /** Its owner's uid (fstat, as `mode`). */
  readonly owner: () => number;
  /** The file's last line now (without its newline); null when it is empty, undefined when it cannot be read. */
  readonly lastLine: () => Uint8Array | null | undefined;
  readonly current: () => boolean; // whether the path still names it (another process may rotate it away)
  readonly close: () => void;
};

export type PathOps = {
  readonly sep: string;
  readonly resolve: (...parts: string[]) => string;
  readonly relative: (from: string, to: string) => string;
  readonly isAbsolute: (p: string) => boolean;
  readonly join: (...parts: string[]) => string;
  readonly dirname: (p: string) => string;
};

export type Host = {
  readonly runtime: 'node' | 'deno';
  readonly runtimeVersion: string;
  readonly platform: string;
  /**
   * Whether open files can tell where they are (ReadHandle.location): then confinement is checked on
   * the descriptor and cannot be raced; otherwise by path (docs/security.md, "Races").
   */
  readonly descriptorLocations: () => boolean;
  readonly argv: readonly string[];
  readonly cwd: () => string;
  readonly homeDir: () => string | null;
  readonly uid: () => number | null; // who runs docwarden (start-up guard rails); null when the sandbox hides it
  readonly path: PathOps;
  // File system (read side).
  readonly lstat: (path: string) => Promise<FileStat>;
  readonly stat: (path: string) => Promise<FileStat>;
  readonly realpath: (path: string) => Promise<string>;
  readonly readlink: (path: string) => Promise<string>;
  /** At most `max` entries (default all), in the order the system lists them; `tick` runs after each. */
  readonly readdir: (path: string, max?: number, tick?: (count: number) => Promise<void>) => Promise<DirEntry[]>;
  /** open(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY): never blocks on a FIFO, never takes a tty. */
  readonly openRead: (path: string) => Promise<ReadHandle>;
  /** The bytes of the running bundle, for `--version`; null when unreadable. */
  readonly readSelf: () => Uint8Array | null;
  // Audit log.
  readonly openAppend: (path: string) => AppendFile;
  /** Renames a file (audit rotation); false when `from` does not exist, throws on any other failure. */
  readonly renameFile: (from: string, to: string) => boolean;
  // Crypto and time.
  readonly sha256Hex: (data: Uint8Array | string) => string;
  /** The same, fed a piece at a time (a long text is hashed in slices, with the event loop turning between). */
  readonly sha256: () => { update: (d: Uint8Array | string) => unknown; digest: (e: 'hex') => string };
  readonly hmacSha256Hex: (key: Uint8Array, data: string) => string;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly now: () => number;
  readonly wallClockIso: () => string;
  readonly setTimer: (ms: number, fn: () => void) => () => void;
  /** Lets queued I/O and timers run (stdin, cancellation, deadlines) during long loops. */
  readonly yieldNow: () => Promise<void>;
  // Process and stdio.
  readonly pid: number;
  readonly stdinIsTty: () => boolean;
  readonly onStdin: (onChunk: (chunk: Uint8Array) => void, onEnd: () => void) => void;
  readonly pauseStdin: () => void;
  readonly resumeStdin: () => void;
  /** Writes to stdout; resolves when the runtime accepted the bytes (back-pressure). */
  readonly writeStdout: (text: string) => Promise<void>;
  /** Resolves once what the runtime accepted reached the OS: exiting before drops it (16 KB of final replies). */
  readonly stdoutFlushed: () => Promise<void>;
  readonly writeStderr: (text: string) => void;
  readonly onStdoutGone: (fn: () => void) => void;
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGUSR1', fn: () => void) => void;
  readonly exit: (code: number) => never;
};
