// `docwarden verify-log FILE`: checks the hash chains of an audit log and of its rotated files
// (FILE.N ... FILE.1, then FILE), reports the first broken or missing record and exits non-zero. With
// `--receipt PID:SEQ --file DOC` it then checks that record's read receipt against DOC (docs/security.md,
// "Read receipts"): does DOC still yield the document version that reply was cut from?
import { createVerifier, type Finding, type LogLine, type Verifier } from '../audit/verify.ts';
import { createDocumentCache } from '../document/document.ts';
import type { Host } from '../runtime/host.ts';
import { decodeInSlices } from '../sched/slice.ts';
import { escapeControls } from '../text/escape.ts';

export const EXIT_INTACT = 0;
export const EXIT_BROKEN = 1;
export const EXIT_UNREADABLE = 2; // a file cannot be read, or the receipt asked for cannot be found
export const EXIT_CHANGED = 3; // the document is not the version the receipt's reply was cut from

export type ReceiptCheck = { readonly pid: number; readonly seq: number; readonly doc: string };

const MAX_SERVED = 1024 ** 3; // the largest files.maxFileBytes: no larger document is ever served

/** A regular file's bytes, read whole (a log file is at most audit.rotateBytes, 64 MiB by default), or null. */
async function readWhole(host: Host, file: string, max = Infinity): Promise<Uint8Array | null> {
  const handle = await host.openRead(file).catch(() => null);
  if (handle === null) return null;
  try {
    const stat = await handle.stat();
    const ok = stat.kind === 'file' && stat.size <= max;
    const data = new Uint8Array(ok ? stat.size : 0);
    let n = 0;
    for (let got = -1; got !== 0 && n < data.length; n += got) got = await handle.read(data.subarray(n), n);
    return ok ? data.subarray(0, n) : null;
  } finally {
    await handle.close();
  }
}

/** Feeds one file's lines to the verifier. */
async function feedFile(host: Host, file: string, v: Verifier): Promise<boolean | 'unreadable'> {
  const data = await readWhole(host, file);
  if (data === null) return 'unreadable';
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

type ReceiptRecord = {
  event: string; tool?: string; method?: string; files?: unknown; receipt?: { sent: unknown; source?: unknown };
};
const isDigest = (d: unknown): d is string => typeof d === 'string' && /^[0-9a-f]{64}$/.test(d);

/** Checks the receipt of the one record `found` against `check.doc`: a line of output and the exit status. */
async function checkReceipt(host: Host, check: ReceiptCheck, found: readonly LogLine[]): Promise<[string, number]> {
  const which = `the record of pid ${check.pid} with seq ${check.seq}`;
  const at = found.map((l) => `${l.file} line ${l.line}`).join(', ');
  if (found.length === 0) return [`Cannot check the receipt: no log file holds ${which}`, EXIT_UNREADABLE];
  if (found.length > 1) {
    const why = 'the pid was reused: verify the rotated file that holds the one you mean alone';
    return [`Cannot check the receipt: ${which} occurs ${found.length} times (${at}); ${why}`, EXIT_UNREADABLE];
  }
  const r = JSON.parse((found[0] as LogLine).text as string) as ReceiptRecord;
  const what = `${at} (${r.tool ?? r.method ?? r.event}${Array.isArray(r.files) ? ` of ${r.files.join(', ')}` : ''})`;
  const { sent, source } = r.receipt ?? {};
  if (r.receipt !== undefined && !(isDigest(sent) && (source === undefined || isDigest(source)))) {
    const why = 'has a receipt that is not SHA-256 digests (64 hex digits): docwarden did not write it';
    return [`Cannot check the receipt: ${what} ${why}`, EXIT_UNREADABLE];
  }
  if (!isDigest(source)) {
    const why = r.receipt ? 'drew on several documents, so its receipt holds only the SHA-256 of the text sent'
      : 'has no read receipt: only a reply that carried document text has one';
    return [`Cannot check the receipt: ${what} ${why}`, EXIT_UNREADABLE];
  }
  const bytes = await readWhole(host, check.doc, MAX_SERVED);
  const unreadable = `${JSON.stringify(check.doc)} cannot be opened as a regular file of at most 1 GiB ` +
    '(files.maxFileBytes)';
  if (bytes === null) return [`Cannot check the receipt: ${unreadable}`, EXIT_UNREADABLE];
  // Each form the server may have hashed: the bytes (served raw), the text, the text with secrets redacted.
  // A text form longer than a string may be (about 512 M characters) cannot be what a server hashed: null.
  const asText = (decode: () => Promise<string | null>) => decode().catch(() => null);
  const forms: [string, string | Uint8Array | null][] = [['bytes', bytes],
    ['text', await asText(() => decodeInSlices(bytes, idle))],
    ['text with secrets redacted', await asText(() => createDocumentCache(0, undefined, true).decode(bytes))]];
  const digests = new Map<string, string[]>(); // each SHA-256, and which forms give it
  for (const [name, d] of forms) {
    const hex = d === null ? null : host.sha256Hex(d);
    if (hex !== null) digests.set(hex, [...(digests.get(hex) ?? []), `its ${name}`]);
  }
  const same = digests.get(source);
  if (same === undefined) {
    const now = [...digests].map(([hex, names]) => `sha256 ${hex} (${names.join(', ')})`).join(', ');
    return [`receipt of ${what}: CHANGED: ${check.doc} is not the version that reply was cut from (sha256 ` +
      `${source}); it now gives ${now}`, EXIT_CHANGED];
  }
  return [`receipt of ${what}: intact: ${check.doc} is still the version that reply was cut from: sha256 ` +
    `${source} (${same.join(', ')}); the text sent has sha256 ${String(sent)}`, EXIT_INTACT];
}
const idle = () => Promise.resolve(); // an offline check: nothing else waits on this loop

export async function runVerifyLog(
  host: Host, file: string, check: ReceiptCheck | null = null,
): Promise<{ readonly output: string; readonly code: number }> {
  const path = host.path.resolve(host.cwd(), file);
  // A numbered file (audit.jsonl.3) is verified alone; the live log brings its rotated files along.
  const alone = /\.[1-9][0-9]*$/.test(path);
  const set = alone ? { files: [path], listed: true } : await logFileSet(host, path);
  const chain = createVerifier(alone || !set.listed ? [] : set.files);
  const found: LogLine[] = []; // the records a receipt check names, by pid and seq, picked up on the way
  const named = (l: LogLine): boolean => {
    if (check === null || !l.text?.includes(`"seq":${check.seq},`)) return false;
    const r = JSON.parse(l.text) as { pid?: unknown; seq?: unknown }; // valid JSON: the chain read it first
    return r.pid === check.pid && r.seq === check.seq;
  };
  const v: Verifier = { ...chain, add: (l) => chain.add(l) && (!named(l) || found.push(l) > 0) }; // push: true
  for (const f of set.files) {
    const r = await feedFile(host, f, v);
    const output = `Cannot verify log: ${JSON.stringify(f)} cannot be opened as a regular file\n`;
    if (r === 'unreadable') return { output, code: EXIT_UNREADABLE };
    if (!r) break;
  }
  const report = v.finish();
  const out: string[] = [];
  const files = `${set.files.length} file${set.files.length === 1 ? '' : 's'}`;
  if (report.error) {
    out.push(`docwarden verify-log: BROKEN at ${describe(report.error)}`);
    out.push(`  ${report.records} records before it verified (${files}: ${set.files.join(', ')})`);
  } else {
    const segments = `${report.segments} segment${report.segments === 1 ? '' : 's'} (one per server run)`;
    const where = `${files}: ${set.files.join(', ')}`;
    out.push(`docwarden verify-log: intact: ${report.records} records in ${segments}, ${where}`);
    const keep = 'keep it elsewhere: a later log must contain it as the "prev" of a record';
    if (report.head !== null) out.push(`head sha256 ${report.head} (${keep})`);
  }
  const unlisted = 'the log folder cannot be listed, so rotated files (FILE.1, FILE.2, ...) were not checked';
  if (!set.listed) out.push(`note: ${unlisted}`);
  for (const w of report.warnings) out.push(`warning: ${describe(w)}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  const [line, code] = check === null || report.error ? ['', report.error ? EXIT_BROKEN : EXIT_INTACT]
    : await checkReceipt(host, check, found);
  if (check !== null) out.push(line || 'the receipt was not checked: a broken log vouches for none of its records');
  return { output: escapeControls(out.join('\n')) + '\n', code }; // a forged record cannot drive the terminal
}

/** The rotated files next to `path`, oldest first (highest number first), then `path` itself. */
export async function logFileSet(
  host: Host, path: string,
): Promise<{ readonly files: readonly string[]; readonly listed: boolean }> {
  const dir = host.path.dirname(path);
  const base = path.slice(dir.length).replace(/^[\\/]+/, '');
  let names: { name: string }[];
  try {
    names = await host.readdir(dir);
  } catch {
    return { files: [path], listed: false }; // a sandbox may grant the file only: verify what we can
  }
  const numbered: { n: number; file: string }[] = [];
  for (const { name } of names) {
    if (!name.startsWith(base + '.')) continue;
    const suffix = name.slice(base.length + 1);
    if (/^[1-9][0-9]{0,5}$/.test(suffix)) numbered.push({ n: Number(suffix), file: host.path.join(dir, name) });
  }
  numbered.sort((a, b) => b.n - a.n);
  return { files: [...numbered.map((x) => x.file), path], listed: true };
}
