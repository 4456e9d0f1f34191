// The fuzz targets and their properties, shared by test/fuzz/*.test.ts (bounded, inside npm test) and
// scripts/fuzz.mjs (long runs). Each runs `count` inputs whose seeds are seed, seed+1, ...; the first
// input that breaks a property is returned with its own seed, so `--seed S --count 1` replays it.
import { type Message, parseFrame } from '../../src/jsonrpc/message.ts';
import { sniffId } from '../../src/jsonrpc/sniff_id.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { createToolTable } from '../../src/tools/registry.ts';
import { createLineReader, type Frame } from '../../src/transport/line_reader.ts';
import { ArgumentError } from '../../src/validate/schema.ts';
import { chunks, hostileStream, hostileString, mulberry32, mutatedArgs, mutatedEnvelope } from './fuzz_gen.ts';
import { type JsonSchemaLike, schemaProblem } from './fuzz_schema.ts';

export type FuzzFailure = {
  readonly target: string;
  readonly seed: number;
  readonly problem: string;
  readonly input: string;
};
export type Target = (seed: number, count: number) => FuzzFailure | null;

const show = (v: unknown) => {
  const s = typeof v === 'string'
    ? JSON.stringify(v)
    : v instanceof Uint8Array
    ? `bytes ${Buffer.from(v).toString('hex')}`
    : JSON.stringify(v);
  return (s ?? String(v)).length > 600 ? `${(s ?? '').slice(0, 600)}... (${(s ?? '').length} chars)` : (s ?? String(v));
};

function run(
  target: string,
  seed: number,
  count: number,
  one: (seed: number) => { input: unknown; problem: string | null },
): FuzzFailure | null {
  for (let i = 0; i < count; i++) {
    const s = (seed + i) >>> 0;
    let input: unknown = '(not generated)';
    try {
      const r = one(s);
      input = r.input;
      if (r.problem !== null) return { target, seed: s, problem: r.problem, input: show(input) };
    } catch (err) {
      return {
        target,
        seed: s,
        problem: `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        input: show(input),
      };
    }
  }
  return null;
}

// ---- frame reader: chunking never changes the frames; nothing over the cap is ever held -------------

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The reference: split the whole stream on LF, then apply the cap, the CR rule and strict UTF-8. */
function expectedFrames(bytes: Uint8Array, max: number): Frame[] {
  const out: Frame[] = [];
  let start = 0;
  const line = (raw: Uint8Array): void => {
    if (raw.length > max) {
      out.push({ kind: 'oversize', bytes: raw.length, head: raw.subarray(0, 512) });
      return;
    }
    const body = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (body.length === 0) return;
    try {
      out.push({ kind: 'line', text: decoder.decode(body) });
    } catch {
      out.push({ kind: 'bad_utf8' });
    }
  };
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    line(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length) line(bytes.subarray(start));
  return out;
}

function frameProblem(got: Frame, want: Frame | undefined, max: number): string | null {
  if (want === undefined) return `extra frame ${got.kind}`;
  if (got.kind !== want.kind) return `frame ${got.kind}, expected ${want.kind}`;
  if (got.kind === 'line' && want.kind === 'line' && got.text !== want.text)
    return `line ${show(got.text)}, expected ${show(want.text)}`;
  if (got.kind === 'oversize' && want.kind === 'oversize') {
    if (got.bytes !== want.bytes) return `oversize of ${got.bytes} bytes, expected ${want.bytes}`;
    const head = got.head;
    if (head.length > 512 || head.length < Math.min(512, max + 1)) return `oversize head of ${head.length} bytes`;
    if (!head.every((b, i) => b === want.head[i])) return 'oversize head is not the start of the line';
  }
  return null;
}

export const fuzzLineReader: Target = (seed, count) =>
  run('line_reader', seed, count, (s) => {
    const r = mulberry32(s);
    const max = r.pick([16, 64, 100, 1024]);
    const bytes = hostileStream(r, max);
    const frames: Frame[] = [];
    const reader = createLineReader(max, (f) => frames.push(f));
    for (const c of chunks(r, bytes)) reader.push(c);
    reader.end();
    const want = expectedFrames(bytes, max);
    for (let i = 0; i < Math.max(frames.length, want.length); i++) {
      const got = frames[i];
      if (got === undefined) return { input: bytes, problem: `missing frame ${i} (${want[i]?.kind})` };
      if (got.kind === 'line' && new TextEncoder().encode(got.text).length > max)
        return { input: bytes, problem: `a line over the ${max}-byte cap was delivered` };
      const p = frameProblem(got, want[i], max);
      if (p !== null)
        return { input: bytes, problem: `frame ${i}: ${p}` };
    }
    return { input: bytes, problem: null };
  });

// ---- JSON-RPC envelope: never throws, never an id of null, classification agrees with the rules -----

function isId(v: unknown): boolean {
  return (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isSafeInteger(v));
}

function messageProblem(m: Message): string | null {
  switch (m.kind) {
    case 'request':
      if (!isId(m.id)) return `request id ${show(m.id)}`;
      if (typeof m.method !== 'string' || m.method.length === 0 || m.method.length > 128)
        return `request method ${show(m.method)}`;
      if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params)))
        return 'request params not an object';
      return null;
    case 'notification':
      return typeof m.method === 'string' && m.method.length > 0 ? null : `notification method ${show(m.method)}`;
    case 'response':
      return isId(m.id) ? null : `response id ${show(m.id)}`;
    case 'invalid':
      return m.id === undefined || isId(m.id)
        ? (typeof m.reason === 'string' ? null : 'invalid without a reason')
        : `invalid id ${show(m.id)}`;
    default:
      return `unknown kind ${show((m as { kind: unknown }).kind)}`;
  }
}

/** What a well-formed single message must classify as (null: no opinion). */
function expectedKind(text: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o['jsonrpc'] !== '2.0' || typeof o['method'] !== 'string' || o['method'] === '' || o['method'].length > 128)
    return null;
  if (
    o['params'] !== undefined && (typeof o['params'] !== 'object' || o['params'] === null || Array.isArray(o['params']))
  ) return 'invalid';
  if (!Object.hasOwn(o, 'id')) return 'notification';
  return isId(o['id']) ? 'request' : 'invalid';
}

export const fuzzEnvelope: Target = (seed, count) =>
  run('envelope', seed, count, (s) => {
    const text = mutatedEnvelope(mulberry32(s));
    const frame = parseFrame(text);
    if (frame.kind === 'unparseable')
      return { input: text, problem: typeof frame.reason === 'string' ? null : 'no reason' };
    const messages = frame.kind === 'batch' ? frame.messages : [frame.message];
    if (frame.kind === 'batch' && (messages.length === 0 || messages.length > 64))
      return { input: text, problem: `batch of ${messages.length}` };
    for (const m of messages) {
      const p = messageProblem(m);
      if (p !== null)
        return { input: text, problem: p };
      if ('id' in m && m.id === null)
        return { input: text, problem: 'id null' };
    }
    const want = frame.kind === 'single' ? expectedKind(text) : null;
    if (want !== null && frame.kind === 'single' && frame.message.kind !== want)
      return { input: text, problem: `classified ${frame.message.kind}, expected ${want}` };
    return { input: text, problem: null };
  });

export const fuzzSniffId: Target = (seed, count) =>
  run('sniff_id', seed, count, (s) => {
    const r = mulberry32(s);
    const text = (mutatedEnvelope(r) + hostileString(r)).slice(0, 512);
    const id = sniffId(text);
    return { input: text, problem: id === undefined || isId(id) ? null : `sniffed id ${show(id)}` };
  });

// ---- tool arguments: only ArgumentError, and whatever is accepted satisfies the JSON Schema ----------

const VALID_ARGS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  list_docs: { root: 'docs', path: 'guide', depth: 2, limit: 10, cursor: 'abc' },
  read_doc: { path: 'a.md', startLine: 1, endLine: 5, heading: 'Intro', lineNumbers: true },
  search_docs: {
    query: 'install',
    mode: 'literal',
    path: 'guide',
    glob: '**/*.md',
    caseSensitive: false,
    limit: 5,
    contextLines: 1,
  },
  find_docs: { pattern: '**/*.md', root: 'docs', limit: 10 },
  outline_doc: { path: 'a.md', cursor: 'abc' },
  doc_info: { root: 'docs', path: 'a.md' },
};

const TOOLS = createToolTable(DEFAULTS.limits);
const TOOL_NAMES = [...TOOLS.keys()];

export const fuzzToolArgs: Target = (seed, count) =>
  run('tool_args', seed, count, (s) => {
    const r = mulberry32(s);
    const name = r.pick(TOOL_NAMES);
    const tool = TOOLS.get(name);
    if (tool === undefined) return { input: name, problem: 'no tool' };
    const schema = tool.input.json as JsonSchemaLike;
    const args = mutatedArgs(r, VALID_ARGS[name] ?? {}, schema.properties ?? {});
    const input = { tool: name, args };
    let out: unknown;
    try {
      out = tool.input.read(args, 'arguments');
    } catch (err) {
      if (!(err instanceof ArgumentError)) throw err;
      if (err.message.length > 400 || !err.message.startsWith('`'))
        return { input, problem: `unclear message ${show(err.message)}` };
      return { input, problem: null };
    }
    if (Object.getPrototypeOf(out) !== Object.prototype)
      return { input, problem: 'accepted value has an odd prototype' };
    return { input, problem: schemaProblem(schema, out, 'arguments') };
  });

export const TARGETS: Readonly<Record<string, Target>> = {
  line_reader: fuzzLineReader,
  envelope: fuzzEnvelope,
  sniff_id: fuzzSniffId,
  tool_args: fuzzToolArgs,
};
