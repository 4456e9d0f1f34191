// The command line of the real bundle: help, version, check, call, and clear refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE } from '../helpers/harness.ts';

function run(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('`--help` prints usage on stdout and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: docwarden/);
  assert.match(r.stdout, /--config FILE/);
});

test('`--version` prints the version and the SHA-256 of the running file', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0);
  const sha = createHash('sha256').update(readFileSync(BUNDLE)).digest('hex');
  assert.match(r.stdout, /^docwarden \d+\.\d+\.\d+/);
  assert.ok(r.stdout.includes(sha));
});

test('no roots: the server refuses to start with a clear message and exit 2', () => {
  const r = run([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no documentation roots configured/);
  assert.equal(r.stdout, '');
});

test('an unknown option or config key stops the server naming it', () => {
  const bad = run(['--bogus']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option "--bogus"/);
  const dir = tempDir();
  const config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ roots: [{ name: 'docs', path: dir }], limits: { inFlght: 3 } }));
  const r = run(['--config', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /inFlght/);
  writeFileSync(config, JSON.stringify({ roots: [{ name: 'docs', path: dir }], limits: { inFlight: 0 } }));
  assert.match(run(['--config', config]).stderr, /inFlight` must be from 1 to 1024 \(got 0\)/);
});

test('`check` prints the policy and counts what each root exposes and hides', () => {
  const root = makeTree({ 'a.md': 'x', 'b/c.rst': 'y', '.env': 'S=1', 'id_rsa': 'k', 'tool.exe': 'z' });
  const r = run(['check', '--root', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exposes 2 documents in 1 folders/);
  assert.match(r.stdout, /deny pattern \.env/);
  assert.match(r.stdout, /deny pattern id_rsa\*/);
  assert.match(r.stdout, /extension not allowed/);
});

test('`check` counts the documents each consent rule gates; a folder rule gates what is under it', () => {
  const root = makeTree({ 'a.md': 'x', 'private/p.md': 'y', 'private/deep/q.md': 'z', 'big.md': 'w'.repeat(50) });
  const config = join(tempDir(), 'config.json');
  const confirm = { paths: ['./private/**', 'private', 'nothing/**'], largerThan: 20 };
  writeFileSync(config, JSON.stringify({ mode: 'development', roots: [{ name: 'd', path: root }], confirm }));
  const r = run(['check', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /need consent: 3 \(each by its first rule\)/);
  assert.match(r.stdout, / {4}2 {2}confirm\.paths \.\/private\/\*\*\n {4}0 {2}confirm\.paths private\n/);
  assert.match(r.stdout, / {4}0 {2}confirm\.paths nothing\/\*\*\n {4}1 {2}confirm\.largerThan/);
});

test('`call` prints what the model would see, and exits 1 on an error result', () => {
  const root = makeTree({ 'guide.md': '# Guide\n\nhello world\n', '.env': 'S=1' });
  const ok = run(['call', 'read_doc', '{"path":"guide.md"}', '--root', root]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /hello world/);
  assert.match(run(['call', 'doc_info', '{"path":"guide.md"}', '--root', root]).stdout, /structuredContent/);
  const denied = run(['call', 'read_doc', '{"path":".env"}', '--root', root]);
  assert.equal(denied.code, 1);
  assert.match(denied.stdout, /not found or not allowed/);
  const unknown = run(['call', 'write_file', '{}', '--root', root]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /Unknown tool "write_file"/);
  const badJson = run(['call', 'read_doc', '{"path":"guide.md",}', '--root', root]);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stdout, /the JSON arguments are not valid JSON: .*position 19/, 'says where the JSON breaks');
});

test('at a terminal the server explains how to connect a client, on stderr, and still exits on EOF', {
  skip: existsSync('/usr/bin/script') ? false : 'needs script(1) to provide a terminal',
}, () => {
  const root = makeTree({ 'a.md': '# A\n' });
  const logDir = tempDir();
  chmodSync(logDir, 0o700);
  const command = `${process.execPath} ${BUNDLE} --root ${root} --log ${join(logDir, 'audit.jsonl')} 2>&1`;
  // script(1) gives the server a terminal as stdin; the Ctrl-D it forwards after a moment ends the session.
  const r = spawnSync('sh', ['-c', `(sleep 1; printf '\\004') | script -qec "${command}" /dev/null`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.match(r.stdout, /meant to be started by an MCP client/);
  // The real, ready-to-paste entry: this Node, this bundle, the roots and log of this very run.
  const out = r.stdout.replace(/\r\n/g, '\n');
  const json = /\{\n {2}"mcpServers"[\s\S]*?\n\}/.exec(out)?.[0] ?? '';
  const args = [BUNDLE, '--root', root, '--log', join(logDir, 'audit.jsonl')];
  assert.deepEqual(JSON.parse(json), { mcpServers: { docwarden: { command: process.execPath, args } } });
  assert.ok(out.includes(`claude mcp add docwarden -- ${process.execPath} ${BUNDLE} --root ${root}`), out);
  assert.doesNotMatch(out, /\/path\/to/, 'no placeholder paths');
  assert.doesNotMatch(r.stdout, /"jsonrpc"/, 'nothing but the hint: no protocol message was asked for');
  assert.equal(r.status, 0, 'Ctrl-D (end of input) stops the server with status 0');
});

test('every argument after `--` is a root (how a client passes a list of folders), named after its folder', () => {
  const a = makeTree({ 'a.md': '# A\n' });
  const b = makeTree({ 'b.md': '# B\n' }, join(tempDir(), 'team docs'));
  const r = run(['call', 'read_doc', '{"root":"team-docs","path":"b.md"}', '--log', 'stderr', '--', a, b]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# B/);
});

test('a missing config file is named with its path and the reason; "~user" paths are refused with a hint', () => {
  const missing = join(tempDir(), 'docwarden.json');
  const r = run(['--config', missing]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`Cannot load config ${JSON.stringify(missing)}: no such file`), r.stderr);
  const tilde = run(['--root', '~nobody/docs']);
  assert.equal(tilde.code, 2);
  assert.match(tilde.stderr, /Cannot use root "~nobody\/docs": only "~\/" \(your home folder\) is expanded; write/);
});

test('`launch --runtime deno` with no deno on PATH still prints the line, says so and suggests --command', () => {
  const root = makeTree({ 'a.md': '# A\n' });
  const r = spawnSync(process.execPath, [BUNDLE, 'launch', '--runtime', 'deno', '--root', root], {
    encoding: 'utf8',
    timeout: 20000,
    env: { PATH: tempDir() },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deno run /);
  assert.match(r.stderr, /"deno" is not on PATH, so no client can start it: install it or pass --command PATH/);
  const withCommand = [BUNDLE, 'launch', '--runtime', 'deno', '--command', '/opt/deno/deno', '--root', root];
  const named = spawnSync(process.execPath, withCommand, {
    encoding: 'utf8',
    timeout: 20000,
    env: { PATH: tempDir() },
  });
  assert.doesNotMatch(named.stderr, /not on PATH/);
});
