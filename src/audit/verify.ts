// Checks the audit log's hash chains (docs/security.md, "Audit log"). Each process writes one segment:
// a `start` record with prev = GENESIS and seq 0, then records whose prev is the SHA-256 of the segment's
// previous line and whose seq is one more; rotation carries a segment on into the next file. Segments of
// processes sharing a log may interleave, so chains are followed per pid. The first broken record stops it.
// The file chains too: a record's `follows` (every `start`, any record written after another process's lines)
// names the line the log ended with when it was written, so a deleted run, a run's deleted tail or a deleted
// file is caught at the next line of any process that vouches for what came before it.
import { GENESIS } from './log.ts';

/** One problem, placed at a line (1-based) of a file. */
export type Finding =
  { readonly file: string; readonly line: number; readonly seq: number | null; readonly problem: string };

export type VerifyReport = {
  readonly error: Finding | null;
  /** Not proof of tampering, but worth a look: a segment without its `stop` record. */
  readonly warnings: readonly Finding[];
  readonly notes: readonly string[];
  readonly records: number;
  readonly segments: number;
  /** SHA-256 of the last line read: keep it elsewhere to detect a later rewrite of the tail. */
  readonly head: string | null;
};

/** One line without its "\n": `text` is null when the bytes are not valid UTF-8. */
export type LogLine =
  { readonly file: string; readonly line: number; readonly text: string | null; readonly hash: string };

export type Verifier = {
  /** Feeds one line; false once the chain is broken (stop feeding). */
  readonly add: (l: LogLine) => boolean;
  /** A problem the reader found (a line cut short, an overlong line): the first one is the error. */
  readonly reject: (file: string, line: number, problem: string) => void;
  readonly finish: () => VerifyReport;
};

type Place = { readonly file: string; readonly line: number };
type Segment =
  { readonly pid: number; readonly start: Place; readonly order: number; seq: number; hash: string; last: Place };
type AuditRecord = { seq: number; prev: string; pid: number; event: string; follows?: string };

const HASH = /^[0-9a-f]{64}$/;
const RECENT = 64;

function asRecord(v: unknown): AuditRecord | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as AuditRecord & { v: unknown };
  const hash = (x: unknown) => typeof x === 'string' && HASH.test(x);
  const bad = r.v !== 1 ? 'v' : !(Number.isSafeInteger(r.seq) && r.seq >= 0) ? 'seq' : !hash(r.prev) ? 'prev'
    : !Number.isSafeInteger(r.pid) ? 'pid' : typeof r.event !== 'string' ? 'event'
    : r.follows !== undefined && !hash(r.follows) ? 'follows' : null; // follows: absent in older logs
  return bad === null ? r : `not an audit record (${bad === 'v' ? 'missing "v": 1' : `bad "${bad}"`})`;
}

const at = (p: Place) => `${p.file} line ${p.line}`;

/** `files`: the log's files as listed, oldest first (then each `rotate` record's count of files is checked). */
export function createVerifier(files: readonly string[] = []): Verifier {
  const open = new Map<number, Segment>();
  const stopped = new Set<number>();
  const warnings: Finding[] = [];
  const notes: string[] = [];
  let error: Finding | null = null;
  let records = 0;
  let segments = 0;
  let head: string | null = null;
  let firstFile: string | null = null;
  let firstFileRotated = false; // the oldest file given begins with a `rotate` record: older files are gone
  const recent: string[] = []; // hashes of the last lines read: a run's `follows` is one of them

  const fail = (p: Place, seq: number | null, problem: string): boolean => {
    error = { ...p, seq, problem };
    return false;
  };

  function endWithoutStop(s: Segment, why: string): void {
    const segment = `the segment of pid ${s.pid} that began at ${at(s.start)}`;
    const problem = `${segment} ends at seq ${s.seq} without a "stop" record: ${why}`;
    warnings.push({ ...s.last, seq: s.seq, problem });
  }

  function add(l: LogLine): boolean {
    if (error !== null) return false;
    const place = { file: l.file, line: l.line };
    if (firstFile === null) firstFile = l.file;
    if (l.text === null) return fail(place, null, 'not valid UTF-8: the record was edited or damaged');
    if (l.text === '') return fail(place, null, 'empty line: a record was removed or the file was edited');
    let parsed: unknown;
    try {
      parsed = JSON.parse(l.text);
    } catch {
      return fail(place, null, 'not valid JSON: the record was edited or cut short');
    }
    const r = asRecord(parsed);
    if (typeof r === 'string') return fail(place, null, r);
    if (l.file === firstFile && l.line === 1 && r.event === 'rotate' && r.prev !== GENESIS) firstFileRotated = true;
    const detail = (parsed as { detail?: unknown }).detail;
    const missing = l.line === 1 && r.event === 'rotate' ? missingFiles(l.file, detail) : null;
    if (missing !== null) return fail(place, r.seq, missing);

    const what = r.event === 'start' ? 'run' : 'record';
    // A rotate record opening the oldest file follows a line of the file before, which was rotated away.
    const gap = r.follows === undefined || (records === 0 && firstFileRotated) ? null : runGap(r.follows, what);
    if (gap !== null) return fail(place, r.seq, `this ${what} (pid ${r.pid}) ${gap}`);
    if (r.prev === GENESIS) {
      const found = `must be a "start" record, found "${r.event.slice(0, 40)}"`;
      if (r.event !== 'start') return fail(place, r.seq, `a record with prev GENESIS ${found}`);
      if (r.seq !== 0) return fail(place, r.seq, `a "start" record must have seq 0, found seq ${r.seq}`);
      const old = open.get(r.pid);
      if (old) endWithoutStop(old, 'the process crashed or the log was cut (its pid was later reused)');
      stopped.delete(r.pid);
      open.set(r.pid, { pid: r.pid, start: place, order: segments++, seq: 0, hash: l.hash, last: place });
    } else {
      const s = open.get(r.pid);
      if (!s) {
        if ((l.file === firstFile || r.event === 'reopen') && firstFileRotated) {
          // The chain began in a file rotated away (beyond audit.keep), or went on after it was (`reopen`).
          const gone = 'its earlier records were in rotated files that no longer exist';
          notes.push(`the chain of pid ${r.pid} is verified from seq ${r.seq} (${at(place)}): ${gone}`);
          open.set(r.pid, { pid: r.pid, start: place, order: segments++, seq: r.seq, hash: l.hash, last: place });
        } else if (stopped.has(r.pid)) {
          const why = 'the "start" record (seq 0) of a new process is missing, or records were moved';
          return fail(place, r.seq, `record of pid ${r.pid} after that process's "stop" record: ${why}`);
        } else {
          const why = `its "start" record (seq 0) and every record before seq ${r.seq} are missing`;
          return fail(place, r.seq, `record of pid ${r.pid} outside any segment: ${why}`);
        }
      } else {
        const want = s.seq + 1;
        if (r.seq > want) {
          const range = r.seq - 1 === want ? `seq ${want} is` : `seq ${want} to ${r.seq - 1} are`;
          const found = `found seq ${r.seq} after seq ${s.seq} at ${at(s.last)}`;
          return fail(place, r.seq, `record ${range} missing for pid ${r.pid} (${found}): deleted, or lines reordered`);
        }
        if (r.seq < want) {
          const after = `comes after seq ${s.seq} (${at(s.last)})`;
          return fail(place, r.seq, `seq ${r.seq} of pid ${r.pid} ${after}: records reordered or duplicated`);
        }
        if (r.prev !== s.hash) {
          // The seq is right, so the line before it in the chain no longer hashes to what was written.
          records--;
          const next = `the prev of the next record of pid ${r.pid} (${at(place)}, seq ${r.seq})`;
          return fail(s.last, s.seq, `altered record: the SHA-256 of this line does not match ${next}; this line or ` +
            'that prev was edited');
        }
        Object.assign(s, { seq: r.seq, hash: l.hash, last: place });
      }
    }
    if (r.event === 'stop') {
      open.delete(r.pid);
      stopped.add(r.pid);
    }
    records++;
    head = l.hash;
    if (recent.push(l.hash) > RECENT) recent.shift();
    return true;
  }

  /** A rotation that left `files` rotated files implies older files a deletion removed, or null. */
  function missingFiles(file: string, detail: unknown): string | null {
    const { files: made, keep } = (detail ?? {}) as { files?: unknown; keep?: unknown };
    const at = files.indexOf(file), later = files.length - 1 - at; // rotations since (each file after this one)
    if (at < 0 || typeof made !== 'number' || typeof keep !== 'number') return null; // alone, or an older log
    const want = Math.min(made, keep - later);
    return at >= want ? null : `this file began with a rotation that left ${made} rotated files, so ${want} older ` +
      `than it must exist (audit.keep ${keep}), but ${at} do: the oldest rotated files were deleted`;
  }

  /** Why a record does not follow the lines before it, or null. A concurrent writer may add a few between. */
  function runGap(follows: string, what: string): string | null {
    if (follows === GENESIS) {
      return records === 0 ? null : 'began with an empty log, yet records come before it: the log file was ' +
        `deleted or replaced before this ${what} (or a rotation broke off between its rename and its first record)`;
    }
    if (recent.includes(follows)) return null;
    const last = `the log ended with a line of SHA-256 ${follows.slice(0, 16)}… when it was written`;
    return records === 0 ? `is the first record, but ${last}: the records before it were deleted`
      : `found that ${last}, and no line before it has that hash: records before this ${what} were deleted ` +
        '(a whole run, the end of the run before, or a whole file)';
  }

  return {
    add,
    reject(file, line, problem) {
      if (error === null) fail({ file, line }, null, problem);
    },
    finish() {
      if (error === null) {
        // Only the segment that started last may still be running; an earlier open one lost its stop.
        for (const s of [...open.values()].sort((a, b) => a.order - b.order)) {
          const last = `the last segment (pid ${s.pid}, from ${at(s.start)})`;
          const why = 'the server is running, or it stopped abruptly';
          if (s.order === segments - 1) notes.push(`${last} has no "stop" record yet: ${why}`);
          else endWithoutStop(s, 'the process crashed or the log was cut, unless it is still running alongside');
        }
      }
      return { error, warnings, notes, records, segments, head };
    },
  };
}
