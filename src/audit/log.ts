// The JSONL audit log: one record per request, redacted before writing, hash-chained so that an edited,
// deleted or reordered record is detectable, written with one synchronous append so none is lost on exit.
// Each process writes one chain (a segment) from GENESIS with a `start` record, continued across rotated files
// by `rotate`, and by `reopen` when another process rotated the file away. A record whose line before it in the file
// is not its own previous record (every `start`, a `rotate` or any record after another process's lines) has
// `follows`, that line's SHA-256, so removing other processes' lines shows.
import type { AppendFile, Host } from '../runtime/host.ts';
import { escapedFit, NAME_UNSAFE } from '../text/escape.ts';
import { utf8Length } from '../text/utf8.ts';
import { redactValue } from './redact.ts';
import { NO_ROTATION, needsRotation, shiftFiles, type RotationOptions } from './rotate.ts';

export type Outcome = 'ok' | 'error' | 'denied' | 'refused' | 'cancelled' | 'info';

export type AuditFields = {
  readonly event: string;
  readonly era?: string | undefined;
  readonly id?: string | number | undefined;
  readonly method?: string | undefined;
  readonly tool?: string | undefined;
  readonly args?: unknown;
  readonly files?: readonly string[] | undefined;
  readonly outcome: Outcome;
  readonly code?: number | null | undefined;
  readonly reason?: string | null | undefined;
  readonly ms?: number | undefined;
  readonly bytes?: number | undefined;
  readonly redacted?: readonly { family: string; count: number }[] | undefined;
  readonly receipt?: { readonly sent: string; readonly source?: string } | undefined; // SHA-256s: server-made
  readonly detail?: unknown;
};

export type AuditLog = {
  readonly write: (fields: AuditFields) => void;
  /**
   * A record a client can cause at flood rates (notifications, invalid frames, requests that read no
   * document): written like `write` up to NOTES_PER_WINDOW per second, then counted per kind and written
   * as one `coalesced` record per kind per second, so a flood cannot rotate real records out of the log.
   */
  readonly note: (fields: AuditFields) => void;
  /** Permission bits and owner's uid of the open log file (fstat); null when logging to stderr. */
  readonly file: () => { mode: number; uid: number } | null;
  readonly close: () => void;
};

export const GENESIS = '0'.repeat(64);
const NOTE_WINDOW_MS = 1000;
const NOTES_PER_WINDOW = 20;
const MAX_KINDS = 16; // further kinds in one window share one "other" count
const ARGS_CAP = 1024;

// JSON.stringify leaves DEL, C1, bidi, zero-width and TAG characters raw (escape.ts's set): a terminal showing
// the log or stderr obeys U+009B like ESC [, U+202E reorders it; JSON \uXXXX escapes of each unit parse back exact.
export function toJsonLine(value: unknown): string {
  const escape = (c: string) => c.split('').map((u) => '\\u' + u.charCodeAt(0).toString(16).padStart(4, '0')).join('');
  return JSON.stringify(value).replace(NAME_UNSAFE, escape);
}

function errorName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown').slice(0, 32);
}

export function createAuditLog(host: Host, path: string, rotation: RotationOptions = NO_ROTATION): AuditLog {
  const toStderr = path === 'stderr';
  let sink: AppendFile = toStderr ? { append: (line) => host.writeStderr(line), size: () => 0, mode: () => 0o600,
    owner: () => 0, lastLine: () => undefined, current: () => true, close: () => undefined } : host.openAppend(path);
  let rotating = !toStderr && rotation.rotateBytes > 0 && rotation.keep > 0;
  let closed = false, seq = 0, prev = GENESIS, reopening = true;
  let size = 0, ownEnd = -1; // the file's size now, and where our last record ended: another writer in between?

  // `link`: the rotate record's `follows`, taken from the file it leaves (another process may have written last).
  function build(fields: AuditFields, link?: { follows?: string }): string {
    size = sink.size();
    const chain = { ts: host.wallClockIso(), seq, prev, ...(link ?? (size !== ownEnd ? follows() : {})) };
    return toJsonLine({ v: 1, ...chain, pid: host.pid, ...redactFields(fields, host.sha256Hex) });
  }
  function follows(): { follows?: string } {
    const line = sink.lastLine(); // where the runs before this one ended
    return line === undefined ? {} : { follows: line === null ? GENESIS : host.sha256Hex(line) };
  }
  function emit(line: string): void {
    prev = host.sha256Hex(line);
    seq++;
    sink.append(line + '\n');
    ownEnd = size + utf8Length(line) + 1;
  }
  function giveUp(reason: string, err: unknown): void {
    rotating = reopening = false;
    const detail = { error: errorName(err), rotateBytes: rotation.rotateBytes };
    emit(build({ event: 'rotate_failed', outcome: 'error', reason, detail }));
    host.writeStderr(`docwarden: warning: cannot rotate the audit log (${errorName(err)}); rotation is off until ` +
      'restart, the log keeps growing. Rotation renames the log to FILE.1, FILE.2, ...: a sandbox must grant read ' +
      'and write on the log and each of those names (`docwarden launch` prints them), or set audit.rotateBytes to 0\n');
  }
  // Opens the file now at `path`; until then records still go to the old descriptor, so a refused step loses nothing.
  function reopen(): boolean {
    try {
      const next = host.openAppend(path);
      // What start-up refuses, a rotation does not switch to either: a log others can write, or another user's (an
      // ACL can grant us write on their file with no bit in its mode showing it; outside attack).
      const me = host.uid();
      if (next.mode() & 0o002 || (me !== null && next.owner() !== me && next.owner() !== 0)) {
        next.close();
        throw Object.assign(new Error('writable by others or not ours'), { code: 'EPERM' });
      }
      sink.close();
      [sink, size, ownEnd] = [next, next.size(), -1];
      return true;
    } catch (err) {
      giveUp('reopen_refused', err);
      return false;
    }
  }
  // The rotate record vouches for the line the old file ended with: its `prev` if ours, else its `follows`.
  function rotate(): void {
    const [detail, link] = [{ previousBytes: size, keep: rotation.keep, files: 0 }, size !== ownEnd ? follows() : {}];
    try {
      detail.files = shiftFiles(host, path, rotation.keep);
    } catch (err) {
      return giveUp('rename_refused', err);
    }
    // Made before the new file is: another process finds that file empty (and waits) for as short a time as can be.
    const line = build({ event: 'rotate', outcome: 'info', detail }, link);
    if (reopen()) emit(line);
  }

  let stopped = false; // "stop" ends the process's segment: a timer firing during the last flush writes nothing
  function write(fields: AuditFields): void {
    // A request finishing after shutdown closed the file: dropping its record beats crashing on a closed descriptor.
    if (closed || stopped) return;
    // Another process sharing the log rotated it away (or it was deleted): our records would go to a file
    // that rotation deletes. The `reopen` record continues our chain in the file now at `path`.
    if (reopening && !sink.current() && reopen() && seq > 0) emit(build({ event: 'reopen', outcome: 'info' }));
    const line = build(fields);
    // Never before a process's first record: a segment must open with its `start` record.
    const full = rotating && seq > 0 && needsRotation(rotation, size, utf8Length(line) + 1);
    if (full) rotate();
    emit(full ? build(fields) : line);
  }

  // Coalescing (AuditLog.note): per-kind counts of the current window, written when it ends.
  let windowStart = -Infinity, noted = 0, flushTimer: (() => void) | null = null;
  const counted = new Map<string, { readonly first: AuditFields; count: number; lastId: unknown }>();
  function flushNotes(): void {
    flushTimer?.();
    flushTimer = null;
    for (const [kind, { first: f, count, lastId }] of counted) {
      const other = kind === 'other';
      write({
        event: 'coalesced', era: f.era, method: other ? undefined : f.method, outcome: 'info',
        reason: other ? 'other kinds' : f.reason,
        detail: { event: other ? 'other' : f.event, outcome: f.outcome, count, firstId: f.id, lastId },
      });
    }
    counted.clear();
  }

  return {
    write(fields) {
      if (fields.event === 'stop') flushNotes(); // every counted record is accounted for before the segment ends
      write(fields);
      stopped ||= fields.event === 'stop';
    },
    note(fields) {
      if (host.now() - windowStart >= NOTE_WINDOW_MS) {
        flushNotes();
        [windowStart, noted] = [host.now(), 0];
      }
      if (noted++ < NOTES_PER_WINDOW) return write(fields);
      const key = [fields.event, fields.method, fields.outcome, fields.reason].join('\u0000');
      const kind = counted.has(key) || counted.size < MAX_KINDS ? key : 'other';
      const c = counted.get(kind);
      if (c) [c.count, c.lastId] = [c.count + 1, fields.id];
      else counted.set(kind, { first: fields, count: 1, lastId: fields.id });
      flushTimer ??= host.setTimer(NOTE_WINDOW_MS, flushNotes);
    },
    file: () => (toStderr ? null : { mode: sink.mode(), uid: sink.owner() }),
    close() {
      if (closed) return;
      flushNotes();
      closed = true;
      sink.close();
    },
  };
}

// Every string a client can influence is redacted: arguments and details, but also the method, tool, id (an unknown
// method named after a token would otherwise land in the log verbatim) and file names; not a receipt's digests (the
// server's own). Arguments are cut at ARGS_CAP chars of JSON, with their length and SHA-256: no record weighs a MB.
function redactFields(fields: AuditFields, sha256Hex: (s: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (k === 'event' || k === 'outcome' || k === 'receipt' || typeof v === 'number' || v === null) out[k] = v;
    // Every touched file is kept (redactValue would cap the list at 100 items), each name redacted.
    else if (k === 'files' && Array.isArray(v)) out[k] = v.map((f: unknown) => redactValue(f));
    else out[k] = redactValue(v);
    const json = k === 'args' ? JSON.stringify(out[k]) : '';
    const fit = escapedFit(json, ARGS_CAP); // as the record will hold it: escaped
    if (fit < json.length) out[k] = { cut: json.slice(0, fit), chars: json.length, sha256: sha256Hex(json) };
  }
  return out;
}
