// What a hostile release can reach during `verify` beyond the sandbox's grants, tried as an attacker
// would with the real updater bundle and the real server bundle as the candidate's body: descriptors
// the operator's shell handed to the updater (a directory through /proc/self/fd/N, a file read or
// written by number) must not reach the candidate; nor may the updater's own inspector, which a SIGUSR1
// from the candidate would open (Node's permission model allows signals and, before Node 25, sockets);
// Deno, whose sandbox lets a static import read any file and fchmod/futimes pass unchecked, never runs one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE, DENO, RUNTIME } from '../helpers/harness.ts';

const UPDATER = resolve('dist/docwarden-update.js');
const OLD = readFileSync(BUNDLE);
const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const onlyNode = RUNTIME === 'node' ? false : 'the updater runs under Node; one pass is enough';

type Run = { status: number | null; stdout: string; stderr: string };
const show = (r: Run): string => `status ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function updater(args: readonly string[], env: Readonly<Record<string, string>> = {}): Run {
  const r = spawnSync(process.execPath, [UPDATER, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An install folder whose live file is the current bundle, the operator's config, and `bytes` staged. */
function staged(bytes: string): { dir: string; config: string } {
  const docs = makeTree({ 'guide/install.md': '# Install\n\nRun the installer.\n' });
  const dir = tempDir('dw-install-');
  writeFileSync(join(dir, 'docwarden.js'), OLD, { mode: 0o644 });
  const config = join(tempDir('dw-cfg-'), 'config.json');
  writeFileSync(config, JSON.stringify({ roots: [{ name: 'docs', path: docs }] }));
  const file = join(tempDir('dw-cand-'), 'docwarden.js');
  writeFileSync(file, bytes);
  const s = updater(['stage', '--allow-unsigned', file, '--sha256', sha(bytes), '--install', dir]);
  assert.equal(s.status, 0, show(s));
  return { dir, config };
}

/** The real server with a first block that tries each descriptor, then fails with what it got. */
const FD_PROBE = `import * as probeFs from 'node:fs';
{
  const got = [];
  const t = (n, f) => { try { got.push(n + '=' + String(f())); } catch (e) { got.push(n + '=' + (e.code ?? e.name)); } };
  t('fd57', () => probeFs.readFileSync('/proc/self/fd/57/secret.md', 'utf8'));
  t('fd58', () => probeFs.readFileSync('/proc/self/fd/58', 'utf8'));
  t('fd58direct', () => { const b = Buffer.alloc(64); return b.subarray(0, probeFs.readSync(58, b, 0, 64, 0)).toString(); });
  t('fd59', () => probeFs.writeSync(59, 'written by the candidate\\n'));
  throw new Error('probe ' + got.join(' '));
}
`;

test(
  'verify hands the candidate none of the descriptors the updater inherited (dir via /proc/self/fd, file by number)',
  { skip: onlyNode || process.platform !== 'linux' && 'Linux only' },
  () => {
    const { dir, config } = staged(OLD.toString('utf8').replace(/^(#!.*\n)/, `$1${FD_PROBE}`));
    const secretDir = makeTree({ 'secret.md': 'TOKEN-IN-A-FOLDER-7f3a\n' });
    const secretFile = join(makeTree({ 'key.txt': 'TOKEN-IN-A-FILE-91c2\n' }), 'key.txt');
    const victim = join(tempDir('dw-victim-'), 'victim.txt');
    writeFileSync(victim, '');
    // The operator's shell: `exec 57<dir 58<file 59>>file`, then the updater (what a leaky terminal does).
    const r = spawnSync('/bin/bash', [
      '-c',
      'exec 57<"$D" 58<"$F" 59>>"$V"; exec "$NODE" "$UPDATER" verify --install "$I" --config "$C"',
    ], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        D: secretDir,
        F: secretFile,
        V: victim,
        NODE: process.execPath,
        UPDATER,
        I: dir,
        C: config,
      },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 1, out);
    // The probe ran (its report is in the refusal), and every attempt failed.
    assert.match(
      out,
      /probe fd57=(ENOENT|EBADF|ERR_ACCESS_DENIED) fd58=(ENOENT|EBADF|ERR_ACCESS_DENIED) fd58direct=EBADF fd59=EBADF/,
      out,
    );
    assert.doesNotMatch(out, /TOKEN-IN-A-/);
    assert.equal(readFileSync(victim, 'utf8'), '', 'nothing was written through the inherited descriptor');
    const records = readFileSync(join(dir, 'update-audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) =>
      JSON.parse(l) as Record<string, unknown>
    );
    const closed = records.find((x) => x['step'] === 'inherited_descriptors' && x['command'] === 'verify');
    assert.ok(closed, 'the trail records the closed descriptors');
    const list = JSON.stringify(closed);
    for (const fd of ['57', '58', '59']) assert.match(list, new RegExp(`"${fd} \\(`), list);
    assert.ok(readFileSync(join(dir, 'docwarden.js')).equals(OLD), 'the live file is byte-identical');
  },
);

/**
 * The real server after a first block that sends SIGUSR1 to its parent (the updater, which has no
 * permission model) and, if an inspector opens, asks it over a hand-made WebSocket to write MARKER.
 */
const inspectorProbe = (marker: string): string =>
  `import * as probeNet from 'node:net';
await (async () => {
  const talk = (send, until) => new Promise((done) => {
    const s = probeNet.connect(9229, '127.0.0.1');
    let got = '';
    s.on('connect', () => send(s));
    s.on('data', (d) => { got += d; if (until(got, s)) s.destroy(); });
    s.on('error', (e) => done('error ' + e.code));
    s.on('close', () => done(got));
  });
  const code = "process.getBuiltinModule('fs').writeFileSync(" + JSON.stringify(${JSON.stringify(marker)}) + ", 'ran')";
  const msg = Buffer.from(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: code } }));
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | 126, msg.length >> 8, msg.length & 255, 0, 0, 0, 0]), msg]);
  let result = 'no inspector';
  process.kill(process.ppid, 'SIGUSR1');
  for (let i = 0; i < 50 && result === 'no inspector'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const list = await talk((s) => s.write('GET /json/list HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n'), (g) => g.includes(']'));
    const path = /"webSocketDebuggerUrl": "ws:\\/\\/[^/]+(\\/[^"]+)"/.exec(list)?.[1];
    if (path === undefined) continue;
    const upgrade = 'GET ' + path + ' HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n';
    result = 'evaluated: ' + await talk((s) => s.write(upgrade), (g, s) => {
      if (g.includes(' 101 ') && !s.sent) s.sent = s.write(frame);
      return g.includes('"id":1');
    });
  }
  throw new Error('inspector probe: ' + result);
})();
`;

test("verify keeps the updater's inspector shut: a candidate that sends it SIGUSR1 cannot run code in it", {
  skip: onlyNode || process.platform === 'win32' && 'POSIX signals',
}, () => {
  const marker = join(tempDir('dw-inspector-'), 'ran-in-the-updater');
  const { dir, config } = staged(OLD.toString('utf8').replace(/^(#!.*\n)/, `$1${inspectorProbe(marker)}`));
  const r = updater(['verify', '--install', dir, '--config', config]);
  const out = show(r);
  assert.equal(r.status, 1, out);
  assert.match(out, /inspector probe: no inspector/, 'the probe ran and found no inspector');
  assert.doesNotMatch(out, /Debugger listening|Starting inspector/);
  assert.throws(() => statSync(marker), /ENOENT/, 'no code ran in the updater');
  assert.ok(readFileSync(join(dir, 'docwarden.js')).equals(OLD), 'the live file is byte-identical');
});

test("verify --runtime deno refuses to run the candidate: a static import and fchmod would escape Deno's sandbox", {
  skip: onlyNode,
}, () => {
  const secret = join(makeTree({ 'secret.md': 'TOKEN-OUTSIDE-THE-ROOTS-5e1b\n' }), 'secret.md');
  const escape = `import leaked from ${JSON.stringify(secret)} with { type: 'text' };
import * as escFs from 'node:fs';
{
  const cfg = Deno.args[Deno.args.indexOf('--config') + 1];
  const fd = escFs.openSync(cfg, 'r');
  escFs.fchmodSync(fd, 0o666);
  throw new Error('escaped: ' + leaked);
}
`;
  const { dir, config } = staged(OLD.toString('utf8').replace(/^(#!.*\n)/, `$1${escape}`));
  const modeBefore = statSync(config).mode & 0o777;
  const r = updater(['verify', '--install', dir, '--config', config, '--runtime', 'deno', '--deno', DENO]);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 1, out);
  assert.match(out, /Cannot run the candidate: Deno cannot contain a candidate \(a static import reads any file/);
  assert.doesNotMatch(out, /TOKEN-OUTSIDE-THE-ROOTS|escaped:/);
  assert.equal(statSync(config).mode & 0o777, modeBefore, "the config's mode is unchanged");
  assert.ok(readFileSync(join(dir, 'docwarden.js')).equals(OLD), 'the live file is byte-identical');
});
