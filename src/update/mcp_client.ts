// A minimal MCP client over a child process's stdio, for self-testing a candidate server. The only
// module of the updater that spawns; the server bundle never includes it (build.mjs checks the inputs).
// Every wait is bounded and stdout lines are capped, so a hostile candidate cannot hang or flood us.
import { spawn } from 'node:child_process';
import { isPlainObject } from '../jsonrpc/message.ts';
import { createLineReader, type Frame } from '../transport/line_reader.ts';
import { UpdateError } from './files.ts';

export type Reply = {
  readonly result?: Readonly<Record<string, unknown>>;
  readonly error?: { readonly code: number; readonly message: string };
  /** The reply line as received, to search for data that must not be there. */
  readonly raw: string;
};

export type Exit = { readonly code: number | null; readonly signal: string | null; readonly timedOut: boolean };

export type ServerRun = {
  readonly request: (method: string, params?: Readonly<Record<string, unknown>>) => Promise<Reply>;
  readonly notify: (method: string, params?: Readonly<Record<string, unknown>>) => void;
  /** Closes stdin (the MCP way to stop a stdio server) and waits for the exit; kills after a bound. */
  readonly close: () => Promise<Exit>;
  /** Lines on stdout that were not JSON-RPC messages (stdout must carry protocol only). */
  readonly violations: readonly string[];
  readonly stderrTail: () => string;
  /** Requests sent so far (each should leave an audit record). */
  readonly sent: () => number;
};

export type Launch = Readonly<{ cmd: string; args: readonly string[]; env: Readonly<Record<string, string>> }>;

const MAX_LINE_BYTES = 16 * 1024 * 1024;
const STDERR_KEEP = 2000;
export const REQUEST_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

type Pending = Readonly<{
  method: string; resolve: (r: Reply) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout>;
}>;

export function startServerProcess(launch: Launch): ServerRun {
  const child = spawn(launch.cmd, [...launch.args], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...launch.env }, shell: false,
  });
  const pending = new Map<number, Pending>();
  const violations: string[] = [];
  let stderr = '';
  let nextId = 1;
  let exited: Exit | null = null;
  let spawnError: string | null = null;
  const exitWaiters: ((e: Exit) => void)[] = [];

  const tail = (): string => stderr.trim().slice(-STDERR_KEEP) || '(nothing on stderr)';
  const failAll = (why: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(new UpdateError(`Cannot ${p.method}: ${why}; stderr: ${tail()}`));
    }
  };
  const onFrame = (frame: Frame): void => {
    if (frame.kind !== 'line') {
      violations.push(frame.kind === 'oversize' ? `a ${frame.bytes}-byte line` : 'a line that is not UTF-8');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(frame.text);
    } catch {
      violations.push(frame.text.slice(0, 80));
      return;
    }
    if (!isPlainObject(msg) || msg['jsonrpc'] !== '2.0') {
      violations.push(frame.text.slice(0, 80));
      return;
    }
    const id = msg['id'];
    if (typeof msg['method'] === 'string') {
      // A server-to-client request: we declared no client capabilities, so none is supported.
      const notFound = { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
      if (id !== undefined) child.stdin.write(`${JSON.stringify(notFound)}\n`);
      return;
    }
    const p = typeof id === 'number' ? pending.get(id) : undefined;
    if (p === undefined) return;
    pending.delete(id as number);
    clearTimeout(p.timer);
    const error = msg['error'];
    const result = msg['result'];
    if (isPlainObject(error)) {
      const code = typeof error['code'] === 'number' ? error['code'] : 0;
      p.resolve({ error: { code, message: String(error['message'] ?? '') }, raw: frame.text });
    } else if (isPlainObject(result)) p.resolve({ result, raw: frame.text });
    else p.reject(new UpdateError(`Cannot ${p.method}: the reply has neither an object result nor an error`));
  };
  const reader = createLineReader(MAX_LINE_BYTES, onFrame);
  child.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
  child.stdout.on('end', () => reader.end());
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4 * STDERR_KEEP);
  });
  child.stdin.on('error', () => undefined); // EPIPE when the child died: reported through 'exit'
  const finish = (e: Exit): void => {
    if (exited) return;
    exited = e;
    failAll(spawnError ?? `the server exited (${e.signal ?? `code ${e.code}`}) before answering`);
    for (const w of exitWaiters.splice(0)) w(e);
  };
  child.on('error', (err) => {
    spawnError = `cannot start ${JSON.stringify(launch.cmd)} (${(err as { code?: string }).code ?? err.message})`;
    finish({ code: null, signal: null, timedOut: false });
  });
  child.on('exit', (code, signal) => finish({ code, signal, timedOut: false }));

  const send = (msg: Record<string, unknown>): void => {
    if (!exited) child.stdin.write(`${JSON.stringify(msg)}\n`);
  };
  return {
    request(method, params) {
      const id = nextId++;
      return new Promise<Reply>((resolve, reject) => {
        if (exited) {
          reject(new UpdateError(`Cannot ${method}: ${spawnError ?? 'the server is not running'}; stderr: ${tail()}`));
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new UpdateError(`Cannot ${method}: no reply within ${REQUEST_TIMEOUT_MS / 1000} s; ` +
            `stderr: ${tail()}`));
        }, REQUEST_TIMEOUT_MS);
        pending.set(id, { method, resolve, reject, timer });
        send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
      });
    },
    notify: (method, params) => send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }),
    close() {
      if (exited) return Promise.resolve(exited);
      return new Promise<Exit>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ code: null, signal: 'SIGKILL', timedOut: true });
        }, EXIT_TIMEOUT_MS);
        exitWaiters.push((e) => {
          clearTimeout(timer);
          resolve(e);
        });
        child.stdin.end();
      });
    },
    violations,
    stderrTail: tail,
    sent: () => nextId - 1,
  };
}
