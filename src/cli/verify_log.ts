// `docwarden verify-log FILE`: checks the hash chains of an audit log and of its rotated files
// (FILE.N ... FILE.1, then FILE), reports the first broken or missing record and exits non-zero.
import { logFileSet } from '../audit/rotate.ts';
import { createVerifier, type Finding, type Verifier } from '../audit/verify.ts';
import type { Host } from '../runtime/host.ts';

export const EXIT_INTACT = 0;
export const EXIT_BROKEN = 1;
export const EXIT_UNREADABLE = 2;

const CHUNK = 1024 * 1024;
// Records are capped by redaction (2,000 chars per string, 100 items); a longer line is not ours.
const MAX_LINE = 16 * 1024 * 1024;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Streams one file's lines into the verifier; false when the chain broke or the file is unreadable. */
async function feedFile(host: Host, file: string, v: Verifier): Promise<boolean | 'unreadable'> {
  let handle;
  try {
    handle = await host.openRead(file);
  } catch {
    return 'unreadable';
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text = (b: Uint8Array): string | null => {
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
  try {
    let carry: Uint8Array = new Uint8Array(0);
    let line = 0;
    let position = 0;
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = await handle.read(buf, position);
      if (n === 0) break;
      position += n;
      const data = carry.length > 0 ? concat(carry, buf.subarray(0, n)) : buf.subarray(0, n);
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        const bytes = data.subarray(from, nl);
        from = nl + 1;
        if (!v.add({ file, line: ++line, text: text(bytes), hash: host.sha256Hex(bytes) })) return false;
      }
      carry = data.slice(from);
      if (carry.length > MAX_LINE) {
        v.reject(file, line + 1, `line longer than ${MAX_LINE} bytes: not an audit record`);
        return false;
      }
    }
    if (carry.length > 0) {
      // Checked before the chain: a cut-off last line is usually also invalid JSON, and "cut" is the news.
      v.reject(file, line + 1, 'the last line has no newline: the record was cut short (truncated file)');
      return false;
    }
    return true;
  } finally {
    await handle.close();
  }
}

function describe(f: Finding): string {
  return `${f.file} line ${f.line}${f.seq === null ? '' : ` (seq ${f.seq})`}: ${f.problem}`;
}

export async function runVerifyLog(host: Host, file: string): Promise<{ readonly output: string; readonly code: number }> {
  const path = host.path.resolve(host.cwd(), file);
  // A numbered file (audit.jsonl.3) is verified alone; the live log brings its rotated files along.
  const set = /\.[1-9][0-9]*$/.test(path) ? { files: [path], listed: true } : await logFileSet(host, path);
  const v = createVerifier();
  for (const f of set.files) {
    const r = await feedFile(host, f, v);
    if (r === 'unreadable') return { output: `Cannot verify log: ${JSON.stringify(f)} cannot be opened as a regular file\n`, code: EXIT_UNREADABLE };
    if (!r) break;
  }
  const report = v.finish();
  const out: string[] = [];
  const files = `${set.files.length} file${set.files.length === 1 ? '' : 's'}`;
  if (report.error) {
    out.push(`docwarden verify-log: BROKEN at ${describe(report.error)}`);
    out.push(`  ${report.records} records before it verified (${files}: ${set.files.join(', ')})`);
  } else {
    out.push(`docwarden verify-log: intact: ${report.records} records in ${report.segments} segment${report.segments === 1 ? '' : 's'} (one per server run), ${files}: ${set.files.join(', ')}`);
    if (report.head !== null) out.push(`head sha256 ${report.head} (keep it elsewhere: a later log must contain it as the "prev" of a record)`);
  }
  if (!set.listed) out.push('note: the log folder cannot be listed, so rotated files (FILE.1, FILE.2, ...) were not checked');
  for (const w of report.warnings) out.push(`warning: ${describe(w)}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  return { output: out.join('\n') + '\n', code: report.error ? EXIT_BROKEN : EXIT_INTACT };
}
