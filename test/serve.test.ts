// Serving (src/serve.ts) in this process on real files, with the real host but for its process edges
// (stdin, signals, stderr and exit, which belong to the test runner here): openSession refuses an unsafe
// production start with every reason and exit status 2, else opens the log with its start records; serve
// answers on stdout, reports the census after the first exchange, and on stdin's end or a signal stops
// reading, writes one stop record naming why and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { loadConfig } from '../src/config/load.ts';
import { selfAudit } from '../src/config/self_audit.ts';
import { probeGrants } from '../src/runtime/permissions.ts';
import { openSession, serve } from '../src/serve.ts';
import type { Host } from '../src/runtime/host.ts';
import { initialize, type Json, type Parts, partsFor } from './helpers/in_process.ts';

class Exit extends Error {}

/** The parts' host with its process edges recorded; `exit` throws (it never returns) unless `returns`. */
function edges(p: Parts, returns = false) {
  const e = { stderr: '', exits: [] as number[], stdin: [] as ((c: Uint8Array) => void)[], ends: [] as (() => void)[] };
  const signals = new Map<string, () => void>();
  const host: Host = {
    ...p.host,
    writeStderr: (t) => void (e.stderr += t),
    onStdin: (chunk, end) => void (e.stdin.push(chunk), e.ends.push(end)),
    onSignal: (s, fn) => void signals.set(s, fn),
    onStdoutGone: () => undefined,
    exit: ((code: number) => {
      e.exits.push(code);
      if (!returns) throw new Exit(`exit ${code}`);
    }) as Host['exit'],
  };
  const feed = (m: Json) => e.stdin[0]?.(new TextEncoder().encode(JSON.stringify(m) + '\n'));
  return { host, e, signals, feed };
}
const until = async (what: () => boolean) => {
  for (let i = 0; i < 6000 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(what(), 'hang guard');
};

test('openSession: an unsafe production start is refused with every reason and exit status 2', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  chmodSync(p.config.source ?? '', 0o666);
  const config = await loadConfig(p.host, { configPath: p.config.source, rootArgs: [], logPath: null }); // as read
  const { host, e } = edges(p);
  await assert.rejects(openSession(host, config, selfAudit(p.host, config, probeGrants, null)), Exit);
  assert.deepEqual(e.exits, [2]);
  assert.match(e.stderr, /docwarden: Cannot start: the config file ".*" is writable by other users/);
});

test('openSession: a start record, the sandbox findings and the guard warnings go to the log', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'development' });
  chmodSync(p.config.source ?? '', 0o666);
  const config = await loadConfig(p.host, { configPath: p.config.source, rootArgs: [], logPath: null }); // as read
  const { host, e } = edges(p);
  const audit = await openSession(host, config, selfAudit(p.host, config, probeGrants, null));
  audit.close();
  const events = p.records().map((r) => r['event']);
  assert.deepEqual(events.slice(-3), ['start', 'sandbox', 'guard']);
  assert.deepEqual((p.records().at(-3)?.['detail'] as Json)['roots'], ['docs']);
  assert.match(e.stderr, /the permission model is off/);
  assert.match(e.stderr, /docwarden: warning: the config file/);
  assert.deepEqual(e.exits, []);
});

async function serving(settings: Json = {}) {
  const p = await partsFor({ 'a.md': 'a', '.env': 'K=v' }, { mode: 'development', ...settings });
  const edge = edges(p, true);
  serve(edge.host, p.config, p.audit, null);
  return { p, ...edge };
}

test("serve answers on stdout, reports the census, and on stdin's end stops with one record and exit 0", async () => {
  const { p, e, feed } = await serving();
  assert.match(e.stderr, /serving 1 root\(s\): docs; audit log: file; confinement check: /);
  feed(initialize(1));
  await until(() => p.stdout.some((m) => m['id'] === 1));
  await until(() => p.records().some((r) => r['event'] === 'census'));
  assert.match(e.stderr, /root "docs": the deny rules hide 1 entry \(\.env 1\)/);
  e.ends[0]?.();
  await until(() => e.exits.length > 0);
  assert.deepEqual(e.exits, [0]);
  assert.deepEqual(p.records().filter((r) => r['event'] === 'stop').map((r) => r['reason']), ['stdin_closed']);
});

test('a signal stops serving: nothing read afterwards is answered, and the stop record names it', async () => {
  const { p, e, feed, signals } = await serving();
  feed(initialize(1));
  await until(() => p.stdout.some((m) => m['id'] === 1));
  signals.get('SIGTERM')?.();
  feed({ jsonrpc: '2.0', id: 2, method: 'ping' });
  await until(() => e.exits.length > 0);
  assert.equal(p.stdout.some((m) => m['id'] === 2), false);
  assert.deepEqual(p.records().filter((r) => r['event'] === 'stop').map((r) => r['reason']), ['sigterm']);
  assert.ok(signals.has('SIGUSR1') && signals.has('SIGHUP'), 'the inspector signal is held, a hang-up stops too');
});
