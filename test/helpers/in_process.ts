// The server's parts in this process on real files, for the unit tests of src/mcp/ and src/tools/: a config
// loaded from a real config file, the real Node host (only its stdout captured and its stdin flow counted:
// the test process's own stdio is not the server's), a real audit log file read back as records, and the
// services, method table and message loop the server builds from them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { type AuditLog, createAuditLog } from '../../src/audit/log.ts';
import { type Config, loadConfig } from '../../src/config/load.ts';
import { createNotifier } from '../../src/mcp/notifier.ts';
import { createServer, type Server } from '../../src/mcp/server.ts';
import { createServices, type Services } from '../../src/mcp/services.ts';
import type { Host } from '../../src/runtime/host.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import type { ToolContext, ToolResult } from '../../src/tools/context.ts';
import { createMessageWriter } from '../../src/transport/writer.ts';
import { makeTree, tempDir } from './fixtures.ts';

export type Json = Record<string, unknown>;

export type Parts = {
  /** The root folder `docs`, holding the files given. */
  readonly dir: string;
  readonly config: Config;
  readonly host: Host;
  /** Every message the host wrote to "stdout", parsed, in order. */
  readonly stdout: Json[];
  readonly stdin: { paused: number; resumed: number };
  readonly audit: AuditLog;
  /** The audit log's records so far. */
  readonly records: () => Json[];
};

/** A root `docs` holding `files`, and a config file with `settings` over production defaults. */
export async function partsFor(
  files: Readonly<Record<string, string | Uint8Array>>,
  settings: Json = {},
): Promise<Parts> {
  const base = tempDir('dw-inproc-');
  const dir = makeTree(files, join(base, 'docs'));
  const logPath = join(base, 'audit.jsonl');
  const configPath = join(base, 'config.json');
  const raw = { roots: [{ name: 'docs', path: dir }], audit: { path: logPath }, ...settings };
  writeFileSync(configPath, JSON.stringify(raw));
  const stdout: Json[] = [];
  const stdin = { paused: 0, resumed: 0 };
  const host: Host = {
    ...createNodeHost(),
    writeStdout: async (text) => void stdout.push(...text.split('\n').filter(Boolean).map((l) => JSON.parse(l))),
    stdoutFlushed: () => Promise.resolve(),
    pauseStdin: () => void stdin.paused++,
    resumeStdin: () => void stdin.resumed++,
  };
  const config = await loadConfig(host, { configPath, rootArgs: [], logPath: null });
  const audit = createAuditLog(host, logPath, config.audit);
  const records = () => readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
  return { dir, config, host, stdout, stdin, audit, records };
}

/** The services one session shares; `sent` collects what they send the client (roots/list, elicitation). */
export function servicesOf(p: Parts, sent: unknown[] = []): Services {
  return createServices(
    p.host,
    p.config,
    createNotifier((m) => sent.push(m), 'debug', p.host.now),
    (m) => sent.push(m),
    p.audit,
  );
}

/** A tool context as the method table builds it, from real services; `over` replaces single fields. */
export function toolContext(s: Services, over: Partial<ToolContext> = {}): ToolContext {
  return {
    confinement: s.confinement,
    roots: s.config.roots,
    narrowing: s.narrowing(),
    limits: s.config.limits,
    docs: s.docs,
    corpus: s.corpus,
    signal: new AbortController().signal,
    progress: () => undefined,
    touched: [],
    confirmPolicy: s.confirmPolicy,
    askConsent: async () => 'unsupported',
    servedFrom: () => undefined,
    ...over,
  };
}

/** Runs one tool of the real table: its argument reader, then its body on `ctx`. */
export function runTool(s: Services, name: string, args: Json, ctx = toolContext(s)): Promise<ToolResult> {
  const tool = s.tools.get(name);
  assert.ok(tool, `no tool ${name}`);
  return tool.prepare(args)(ctx);
}

/** The message loop on these parts, fed lines as stdin would deliver them. */
export type Loop = {
  readonly server: Server;
  readonly send: (...messages: unknown[]) => void;
  /** Waits (yielding to the event loop, with a hang guard) until a reply to `id` is on stdout. */
  readonly reply: (id: string | number) => Promise<Json>;
};

export function loopOf(p: Parts): Loop {
  const server = createServer(p.host, p.config, p.audit, createMessageWriter(p.host));
  const send = (...messages: unknown[]) => {
    for (const m of messages) server.onFrame({ kind: 'line', text: typeof m === 'string' ? m : JSON.stringify(m) });
  };
  const reply = async (id: string | number) => {
    for (let i = 0; i < 20_000; i++) {
      const found = p.stdout.find((m) => m['id'] === id && m['method'] === undefined);
      if (found) return found;
      await new Promise((r) => setTimeout(r, i < 100 ? 0 : 5));
    }
    assert.fail(`no reply to ${id}: ${JSON.stringify(p.stdout)}`);
  };
  return { server, send, reply };
}

/** An initialize request for `version` declaring `capabilities`. */
export function initialize(id: string | number, version = '2025-11-25', capabilities: Json = {}): Json {
  const params = { protocolVersion: version, capabilities, clientInfo: { name: 't', version: '1' } };
  return { jsonrpc: '2.0', id, method: 'initialize', params };
}

/** The `_meta` a 2026-07-28 request carries. */
export function statelessMeta(capabilities: Json = {}, extra: Json = {}): Json {
  return {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    ...extra,
  };
}
