// The updater's audit trail, DIR/update-audit.jsonl: one JSONL record per step (mode 0600, appended,
// never truncated), hash-chained like the server's log and continuing the chain across runs, so an
// edited or deleted record is detectable (docs/updating.md, "The steps and what each check proves").
import * as fs from 'node:fs';
import { GENESIS, toJsonLine } from '../audit/log.ts';
import { readIfExists, sha256Hex } from './files.ts';

export type StepOutcome = 'ok' | 'refused' | 'error' | 'info';

export type Trail = {
  readonly record: (
    command: string, step: string, outcome: StepOutcome, detail?: Readonly<Record<string, unknown>>,
  ) => void;
  readonly close: () => void;
};

const TAIL_BYTES = 64 * 1024;

/** The chain position after the last complete record of an existing log. */
function chainTail(fd: number): { seq: number; prev: string } {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return { seq: 0, prev: GENESIS };
  const len = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(len);
  fs.readSync(fd, buf, 0, len, size - len);
  const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) return { seq: 0, prev: GENESIS };
  let seq = 0;
  try {
    const parsed = JSON.parse(last) as { seq?: unknown };
    if (typeof parsed.seq === 'number' && Number.isSafeInteger(parsed.seq)) seq = parsed.seq + 1;
  } catch {
    // A torn last line still chains on its hash, so the break stays visible.
  }
  return { seq, prev: sha256Hex(last) };
}

export function openTrail(path: string, now: () => string = () => new Date().toISOString()): Trail {
  const { O_RDWR, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(path, O_RDWR | O_APPEND | O_CREAT | (O_NOFOLLOW ?? 0), 0o600);
  // An existing file keeps the mode we require even if someone loosened it.
  fs.fchmodSync(fd, 0o600);
  let { seq, prev } = chainTail(fd);
  return {
    record(command, step, outcome, detail) {
      const line = toJsonLine({
        v: 1, ts: now(), seq: seq++, prev, pid: process.pid, command, step, outcome, ...(detail ? { detail } : {}),
      });
      prev = sha256Hex(line);
      const bytes = Buffer.from(line + '\n', 'utf8');
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      fs.fsyncSync(fd);
    },
    close: () => fs.closeSync(fd),
  };
}

/** A trail that writes nothing, for read-only commands in a folder we cannot write. */
export const NO_TRAIL: Trail = { record: () => undefined, close: () => undefined };

/**
 * Checks the whole trail: each line a JSON record whose seq is its position and whose prev is the
 * SHA-256 of the line before (GENESIS for the first). Returns the first problem, or null when intact.
 */
export function verifyTrail(text: string): { readonly records: number; readonly problem: string | null } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev = GENESIS;
  for (const [i, line] of lines.entries()) {
    const at = `line ${i + 1}`;
    let r: { seq?: unknown; prev?: unknown };
    try {
      r = JSON.parse(line) as { seq?: unknown; prev?: unknown };
    } catch {
      return { records: i, problem: `${at} is not a JSON record: edited or cut short` };
    }
    if (r.seq !== i) return { records: i, problem: `${at} has seq ${JSON.stringify(r.seq)}, expected ${i}: records ` +
      `removed, added or reordered` };
    if (r.prev !== prev) return { records: i, problem: `${at} does not chain to the line before (prev differs): that ` +
      `line or this one was edited` };
    prev = sha256Hex(line);
  }
  return { records: lines.length, problem: null };
}

export function verifyTrailCommand(
  ctx: { readonly layout: { readonly audit: string }; readonly out: (l: string) => void },
): 0 | 1 {
  const bytes = readIfExists(ctx.layout.audit, 'the update audit log');
  if (bytes === null) {
    ctx.out(`No update trail at ${ctx.layout.audit} yet: nothing to verify.`);
    return 0;
  }
  const r = verifyTrail(new TextDecoder('utf-8').decode(bytes));
  ctx.out(r.problem === null ? `Intact: ${r.records} records, each chained to the one before (${ctx.layout.audit}).`
    : `BROKEN at ${r.problem}; the ${r.records} records before it verify.`);
  return r.problem === null ? 0 : 1;
}
