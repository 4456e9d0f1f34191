// The checks a candidate must pass against the operator's own config before it may go live: it
// starts and shakes hands, lists its tools, reads a real document correctly, refuses to read a canary
// file outside the roots (by `../` and by absolute path), exits on stdin EOF, keeps stdout to protocol
// lines, and writes audit records for what it did, refusals included.
import * as fs from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { isPlainObject } from '../jsonrpc/message.ts';
import { LATEST_VERSION } from '../mcp/versions.ts';
import type { Reply, ServerRun } from './mcp_client.ts';
import { toolsFrom, type ModelSurface, type ToolDef } from './surface.ts';

export type Check = { readonly name: string; readonly ok: boolean; readonly detail: string };
const passed = (name: string, detail: string): Check => ({ name, ok: true, detail });
const failed = (name: string, detail: string): Check => ({ name, ok: false, detail });
export type ProbeRoot = { readonly name: string; readonly path: string };
export type Probe = {
  readonly roots: readonly ProbeRoot[];
  /** A file outside every root holding a random token: it must never appear in a reply. */
  readonly canary: { readonly path: string; readonly token: string };
  readonly logPath: string;
};
export type SelfTest = {
  readonly checks: readonly Check[];
  readonly tools: readonly ToolDef[] | null;
  readonly serverVersion: string | null;
  /** Everything the model reads from this server, for the comparison with the live file. */
  readonly surface: ModelSurface | null;
};

const MAX_TOOL_PAGES = 20;
const SNIPPET_CHARS = 40;
/** Documents tried per root before read_document gives up. */
const CANDIDATE_DOCS = 10;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type Handshake = {
  protocolVersion: string; name: string; version: string; result: Readonly<Record<string, unknown>>;
};

export async function handshake(run: ServerRun): Promise<Handshake> {
  const clientInfo = { name: 'docwarden-update', version: '1' };
  const r = await run.request('initialize', { protocolVersion: LATEST_VERSION, capabilities: {}, clientInfo });
  const info = r.result?.['serverInfo'];
  const protocolVersion = r.result?.['protocolVersion'];
  if (!isPlainObject(info) || typeof info['name'] !== 'string' || typeof info['version'] !== 'string' ||
    typeof protocolVersion !== 'string') {
    const why = r.error ? `error ${r.error.code} ${r.error.message.slice(0, 120)}`
      : 'the result lacks protocolVersion or serverInfo';
    throw new Error(`Cannot initialize: ${why}`);
  }
  run.notify('notifications/initialized');
  return { protocolVersion, name: info['name'], version: info['version'], result: r.result ?? {} };
}

export async function listTools(run: ServerRun): Promise<ToolDef[]> {
  const all: unknown[] = [];
  let cursor: unknown;
  for (let page = 1; page <= MAX_TOOL_PAGES; page++) {
    const r = await run.request('tools/list', cursor === undefined ? {} : { cursor });
    if (!r.result || !Array.isArray(r.result['tools'])) {
      throw new Error(`Cannot list tools: ${r.error ? r.error.message.slice(0, 120) : 'no tools array'}`);
    }
    all.push(...(r.result['tools'] as unknown[]));
    cursor = r.result['nextCursor'];
    if (typeof cursor !== 'string' || cursor === '') return toolsFrom(all);
  }
  throw new Error(`Cannot list tools: more than ${MAX_TOOL_PAGES} pages`);
}

function textOf(r: Reply): string {
  const structured = r.result?.['structuredContent'];
  if (isPlainObject(structured) && typeof structured['text'] === 'string') return structured['text'];
  const content = r.result?.['content'];
  const text = (c: unknown) => (isPlainObject(c) && typeof c['text'] === 'string' ? c['text'] : '');
  return Array.isArray(content) ? content.map(text).join('\n') : '';
}

/** The first non-blank line of a file on disk (first 64 KiB), if it is plain printable text. */
function expectedSnippet(file: string): string | null {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n').map((l) => l.trim()).find((l) => l.length > 0);
    if (line === undefined) return null;
    const snippet = line.slice(0, SNIPPET_CHARS);
    return /^[\x20-\x7e]+$/.test(snippet) ? snippet : null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads the first document the server lists that it will serve. Documents refused outright (a
 * `confirm` consent rule without a client to ask) are skipped; a read that returns the wrong text fails.
 */
async function readDocument(run: ServerRun, roots: readonly ProbeRoot[]): Promise<Check> {
  const name = 'read_document';
  const refused: string[] = [];
  for (const root of roots) {
    const args = { root: root.name, pattern: '**', limit: CANDIDATE_DOCS };
    const found = await run.request('tools/call', { name: 'find_docs', arguments: args });
    const sc = found.result?.['structuredContent'];
    const matches: unknown[] = isPlainObject(sc) && Array.isArray(sc['matches']) ? sc['matches'] : [];
    for (const m of matches) {
      if (!isPlainObject(m) || typeof m['path'] !== 'string') continue;
      const path = m['path'];
      const segments = path.split('/');
      // The path came from the candidate: only use it for a comparison read once it is plainly inside the root.
      if (isAbsolute(path) || path.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
        const shownPath = JSON.stringify(path.slice(0, 80));
        return failed(name, `find_docs returned a path that is not root-relative: ${shownPath}`);
      }
      const r = await run.request('tools/call', { name: 'read_doc', arguments: { root: root.name, path } });
      if (!r.result || r.result['isError'] === true) {
        refused.push(`${root.name}:${path} (${(r.error?.message ?? textOf(r)).slice(0, 100)})`);
        continue;
      }
      const text = textOf(r);
      const expected = expectedSnippet(join(root.path, ...segments));
      if (text.length === 0 || (expected !== null && !text.includes(expected))) {
        return failed(name, `read_doc ${root.name}:${path} did not return the file's text`);
      }
      const skipped = refused.length > 0 ? `; ${refused.length} refused first: ${refused[0]}` : '';
      return passed(name, `read ${root.name}:${path} (${text.length} characters, content matches the file)${skipped}`);
    }
  }
  if (refused.length > 0) return failed(name, `every document tried was refused, e.g. ${refused[0]}`);
  return failed(name, 'no document found under the configured roots (find_docs "**"); the check needs one to read');
}

function refusal(r: Reply, name: string, path: string, token: string): Check {
  if (r.raw.includes(token)) {
    return failed(name, `served the content of a file outside the roots for ${JSON.stringify(path)}`);
  }
  if (r.error || r.result?.['isError'] === true) return passed(name, `refused ${JSON.stringify(path)}`);
  return failed(name, `did not refuse ${JSON.stringify(path)} (the reply is not an error)`);
}

/** What a reply shows the model: its error, or its result. */
const shown = (r: Reply): unknown => (r.error !== undefined ? { error: r.error } : r.result);

/** The replies to a read of the canary by `../` and by absolute path: [check suffix, path, reply]. */
export async function askRefusals(run: ServerRun, root: ProbeRoot, canary: string): Promise<[string, string, Reply][]> {
  const replies: [string, string, Reply][] = [];
  const parent = relative(root.path, canary).split(sep).join('/');
  for (const [name, path] of [['parent_path', parent], ['absolute_path', canary]] as const) {
    const reply = await run.request('tools/call', { name: 'read_doc', arguments: { root: root.name, path } });
    replies.push([name, path, reply]);
  }
  return replies;
}

/**
 * The rest of what the model reads, asked the same way of the candidate and of the live file: the
 * refusal texts of those reads, the resource templates and the prompts.
 */
export async function observeRest(
  run: ServerRun, refused: readonly [string, string, Reply][],
): Promise<Pick<ModelSurface, 'refusals' | 'resourceTemplates' | 'prompts'>> {
  const refusals = Object.fromEntries(refused.map(([name, , r]) => [name, shown(r)]));
  const resourceTemplates = shown(await run.request('resources/templates/list', {}));
  return { refusals, resourceTemplates, prompts: shown(await run.request('prompts/list', {})) };
}

function auditCheck(logPath: string, requests: number): Check {
  const name = 'audit_log';
  let text: string;
  try {
    text = fs.readFileSync(logPath, 'utf8');
  } catch {
    return failed(name, 'the server wrote no audit log (--log)');
  }
  const records: Record<string, unknown>[] = [];
  for (const line of text.split('\n').filter((l) => l.length > 0)) {
    try {
      const v: unknown = JSON.parse(line);
      if (!isPlainObject(v)) throw new Error('not an object');
      records.push(v);
    } catch {
      return failed(name, `an audit line is not a JSON object: ${JSON.stringify(line.slice(0, 60))}`);
    }
  }
  if (records.length < requests) return failed(name, `${records.length} audit records for ${requests} requests`);
  const refusalLogged = records.some((r) => r['tool'] === 'read_doc' && r['outcome'] !== 'ok');
  if (!refusalLogged) return failed(name, 'the refused reads are not in the audit log');
  const mode = fs.statSync(logPath).mode & 0o777;
  const private_ = process.platform === 'win32' || (mode & 0o077) === 0;
  if (!private_) return failed(name, `the audit log has mode ${mode.toString(8)}, not 600`);
  return passed(name, `${records.length} records for ${requests} requests, refusals included, mode 600`);
}

export async function selfTest(run: ServerRun, probe: Probe): Promise<SelfTest> {
  const checks: Check[] = [];
  let tools = null as ToolDef[] | null;
  let serverVersion: string | null = null;
  let hello = null as Handshake | null; // set inside step() callbacks, which the compiler cannot follow
  let surface: ModelSurface | null = null;
  const step = async (name: string, fn: () => Promise<Check | string>): Promise<boolean> => {
    try {
      const c = await fn();
      checks.push(typeof c === 'string' ? passed(name, c) : c);
    } catch (err) {
      checks.push(failed(name, message(err)));
    }
    return checks[checks.length - 1]?.ok === true;
  };
  const root = probe.roots[0] as ProbeRoot;
  const ok = await step('handshake', async () => {
    const h = await handshake(run);
    hello = h;
    serverVersion = h.version;
    return `protocol ${h.protocolVersion}, ${h.name} ${h.version}`;
  }) && await step('tools_list', async () => {
    const l = await listTools(run);
    tools = l;
    return `${l.length} tools: ${l.map((t) => t.name).join(', ')}`;
  });
  if (ok) {
    await step('read_document', () => readDocument(run, probe.roots));
    let refused: [string, string, Reply][] | null = null;
    try {
      refused = await askRefusals(run, root, probe.canary.path);
    } catch (err) {
      checks.push(failed('refuse_parent_path', message(err)));
    }
    for (const [name, path, reply] of refused ?? []) {
      checks.push(refusal(reply, `refuse_${name}`, path, probe.canary.token));
    }
    if (refused !== null && hello !== null && tools !== null) {
      try {
        surface = { initialize: hello.result, tools, ...await observeRest(run, refused) };
      } catch (err) {
        checks.push(failed('model_surface', `cannot read what the model reads: ${message(err)}`));
      }
    }
  }
  const exit = await run.close();
  checks.push(exit.code === 0 && !exit.timedOut
    ? passed('exit_on_eof', 'exited with status 0 when stdin closed')
    : failed('exit_on_eof', exit.timedOut ? 'still running 10 s after stdin closed (killed)'
      : `exited with ${exit.signal ?? `status ${exit.code}`}; stderr: ${run.stderrTail().slice(-300)}`));
  checks.push(run.violations.length === 0
    ? passed('stdout_protocol_only', 'every stdout line was a JSON-RPC message')
    : failed('stdout_protocol_only', `stdout carried non-protocol output: ${JSON.stringify(run.violations[0])}`));
  if (ok) checks.push(auditCheck(probe.logPath, run.sent()));
  return { checks, tools, serverVersion, surface };
}
