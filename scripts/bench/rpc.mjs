// Minimal stdio JSON-RPC client for the benchmark: spawn a server, write one JSON object per line,
// read replies line by line and match them to requests by id. No dependencies, Node 20.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export const PROTOCOL_VERSION = '2025-11-25';

/** A running MCP server over stdio. `t0` is performance.now() just before spawn. */
export class RpcClient {
  constructor(command, args, { cwd, env } = {}) {
    this.t0 = performance.now();
    this.child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.nextId = 1;
    this.pending = new Map();
    this.stderr = '';
    this.exited = false;
    this.exitCode = null;
    this.notifications = 0;
    this.bytesIn = 0;
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      this.bytesIn += chunk.length;
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() !== '') this.#onLine(line);
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (c) => {
      // Keep only the tail: a chatty server must not grow the benchmark's own memory.
      this.stderr = (this.stderr + c).slice(-8192);
    });
    this.child.stdin.on('error', () => {}); // EPIPE when the server dies; surfaced via exit
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? signal;
        const err = new Error(
          `Cannot call: server exited (${code ?? signal}); stderr tail: ${this.stderr.slice(-500)}`,
        );
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve(this.exitCode);
      });
    });
    this.child.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  #onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not JSON: ignore (servers should not print to stdout, but we do not crash on it)
    }
    if (msg.method !== undefined) {
      if (msg.id !== undefined) {
        // A server->client request (roots/list, sampling…): we declare no capabilities, so refuse.
        this.#write({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } });
      } else {
        this.notifications++;
      }
      return;
    }
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    p.resolve({ msg, t: performance.now(), bytes: Buffer.byteLength(line) });
  }

  #write(obj) {
    if (!this.exited) this.child.stdin.write(JSON.stringify(obj) + '\n');
  }

  /** Sends a request; resolves to { msg, t } where t is performance.now() at reply parse. */
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error('Cannot call: server has exited'));
      this.pending.set(id, { resolve, reject });
      this.#write({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Writes many requests in one write() (pipelining); returns one promise per request. */
  requestMany(list) {
    const lines = [];
    const promises = [];
    for (const { method, params } of list) {
      const id = this.nextId++;
      promises.push(new Promise((resolve, reject) => this.pending.set(id, { resolve, reject })));
      lines.push(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    }
    if (!this.exited) this.child.stdin.write(lines.join('\n') + '\n');
    return promises;
  }

  notify(method, params) {
    this.#write(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  /** initialize + notifications/initialized; returns ms from spawn to the initialize reply. */
  async initialize() {
    const { msg, t } = await this.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'docwarden-bench', version: '1.0.0' },
    });
    if (msg.error) throw new Error(`Cannot initialize: ${JSON.stringify(msg.error)}`);
    this.notify('notifications/initialized');
    this.serverInfo = msg.result?.serverInfo;
    return t - this.t0;
  }

  /** tools/call, timed. Returns { ms, bytes (of the reply line), result, error, isError }. */
  async call(name, args) {
    const start = performance.now();
    const { msg, t, bytes } = await this.request('tools/call', { name, arguments: args });
    return {
      ms: t - start,
      bytes,
      result: msg.result,
      error: msg.error,
      isError: msg.error !== undefined || msg.result?.isError === true,
    };
  }

  async listTools() {
    const { msg } = await this.request('tools/list', {});
    if (msg.error) throw new Error(`Cannot list tools: ${JSON.stringify(msg.error)}`);
    return msg.result.tools;
  }

  /** Closes stdin and waits for exit; kills after `graceMs`. */
  async close(graceMs = 2000) {
    if (this.exited) return this.exitCode;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    const code = await this.exitPromise;
    clearTimeout(timer);
    return code;
  }

  kill() {
    if (!this.exited) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    return this.exitPromise;
  }
}

/** Text of a tools/call result (all text content items joined), for error reporting. */
export function resultText(result) {
  if (!result || !Array.isArray(result.content)) return '';
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}
