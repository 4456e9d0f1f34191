// The checks verify runs on a started server (src/update/self_test.ts): the real bundle passes every one on
// a real root, with the canary file outside it refused both ways; a hand-written hostile server that serves
// the canary, chats on stdout and keeps no audit log fails exactly those checks, each saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { startServerProcess } from '../../src/update/mcp_client.ts';
import { selfTest } from '../../src/update/self_test.ts';
import { createWorkspace } from '../../src/update/workspace.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';

const root = makeTree({ 'guide.md': '# Guide\n\nInstall it like this.\n' }, join(tempDir(), 'docs')); // root name: docs
const ENV = { PATH: process.env['PATH'] ?? '' };

function probeFor() {
  const w = createWorkspace([root], root);
  return { w, probe: { roots: [{ name: 'docs', path: root }], canary: w.canary, logPath: w.logFor('t') } };
}
const verdicts = (checks: readonly { name: string; ok: boolean }[]) =>
  Object.fromEntries(checks.map((c) => [c.name, c.ok]));

test('the real bundle passes every check, and its surface is recorded', async () => {
  const { w, probe } = probeFor();
  const args = [resolve('dist/docwarden.js'), '--root', root, '--log', probe.logPath];
  const r = await selfTest(startServerProcess({ cmd: process.execPath, args, env: ENV }), probe);
  w.remove();
  assert.deepEqual(r.checks.filter((c) => !c.ok), []);
  assert.deepEqual(Object.keys(verdicts(r.checks)), [
    'handshake',
    'tools_list',
    'read_document',
    'refuse_parent_path',
    'refuse_absolute_path',
    'exit_on_eof',
    'stdout_protocol_only',
    'audit_log',
  ]);
  assert.equal(r.tools?.length, 6);
  assert.ok(r.surface && Object.keys(r.surface.refusals).length === 2);
});

test('a server that leaks the canary, prints a banner and writes no log fails those checks', async () => {
  const { w, probe } = probeFor();
  // Answers like a server, but read_doc reads any path it is given, relative to the root or absolute.
  const script = `const fs = require('fs'), path = require('path');
    const out = (id, result) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\\n');
    process.stdout.write('leaky server ready\\n');
    let buf = ''; process.stdin.on('end', () => process.exit(0));
    process.stdin.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1); if (m.id === undefined) continue;
      if (m.method === 'initialize') out(m.id, { protocolVersion: '2025-11-25', serverInfo: { name: 'x', version: '9' } });
      else if (m.method === 'tools/list') out(m.id, { tools: [{ name: 'read_doc', inputSchema: { type: 'object' } }] });
      else if (m.params?.name === 'find_docs') out(m.id, { structuredContent: { matches: [{ path: 'guide.md' }] } });
      else if (m.params?.name === 'read_doc') {
        const text = fs.readFileSync(path.resolve(${JSON.stringify(root)}, m.params.arguments.path), 'utf8');
        out(m.id, { content: [{ type: 'text', text }] });
      } else out(m.id, {});
    } });`;
  const r = await selfTest(startServerProcess({ cmd: process.execPath, args: ['-e', script], env: ENV }), probe);
  w.remove();
  assert.deepEqual(verdicts(r.checks), {
    handshake: true,
    tools_list: true,
    read_document: true,
    refuse_parent_path: false,
    refuse_absolute_path: false,
    exit_on_eof: true,
    stdout_protocol_only: false,
    audit_log: false,
  });
  const why = Object.fromEntries(r.checks.map((c) => [c.name, c.detail]));
  assert.match(why['refuse_absolute_path'] ?? '', /served the content of a file outside the roots/);
  assert.match(why['stdout_protocol_only'] ?? '', /"leaky server ready"/);
  assert.match(why['audit_log'] ?? '', /wrote no audit log/);
});
