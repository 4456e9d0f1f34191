// `docwarden verify-log FILE`: checks the hash chains of an audit log and of its rotated files
// (FILE.N ... FILE.1, then FILE), reports the first broken or missing record and exits non-zero.
import { logFileSet } from '../audit/rotate.ts';
import { createVerifier, type Finding, type Verifier } from '../audit/verify.ts';
import type { Host } from '../runtime/host.ts';

export const EXIT_INTACT = 0;
export const EXIT_BROKEN = 1;
export const EXIT_UNREADABLE = 2;

const CHUNK = 1024 * 1024;

/** Feeds one file's lines to the verifier (read whole: a log file is at most audit.rotateBytes, 64 MiB by default). */
async function feedFile(host: Host, file: string, v: Verifier): Promise<boolean | 'unreadable'> {
  let handle;
  try {
    handle = await host.openRead(file);
  } catch {
    return 'unreadable';
  }
  const parts: Uint8Array[] = [];
  try {
    for (let at = 0, n = -1; n !== 0; at += n) {
      const buf = new Uint8Array(CHUNK);
      n = await handle.read(buf, at);
      parts.push(buf.subarray(0, n));
    }
  } finally {
    await handle.close();
  }
  const data = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let from = 0;
  let line = 0;
  for (let nl = data.indexOf(10); nl !== -1; from = nl + 1, nl = data.indexOf(10, from)) {
    const bytes = data.subarray(from, nl);
    let text: string | null = null;
    try {
      text = decoder.decode(bytes);
    } catch { /* not UTF-8: the verifier says so */ }
    if (!v.add({ file, line: ++line, text, hash: host.sha256Hex(bytes) })) return false;
  }
  // Checked before the chain: a cut-off last line is usually also invalid JSON, and "cut" is the news.
  if (from === data.length) return true;
  v.reject(file, line + 1, 'the last line has no newline: the record was cut short (truncated file)');
  return false;
}

function describe(f: Finding): string {
  return `${f.file} line ${f.line}${f.seq === null ? '' : ` (seq ${f.seq})`}: ${f.problem}`;
}

export async function runVerifyLog(host: Host, file: string): Promise<{ readonly output: string; readonly code: number }> {
  const path = host.path.resolve(host.cwd(), file);
  // A numbered file (audit.jsonl.3) is verified alone; the live log brings its rotated files along.
  const alone = /\.[1-9][0-9]*$/.test(path);
  const set = alone ? { files: [path], listed: true } : await logFileSet(host, path);
  const v = createVerifier(alone || !set.listed ? [] : set.files);
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
