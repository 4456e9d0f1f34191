// probeGrants() asked for real: a small probe program built from src/runtime/permissions.ts runs under
// each runtime with chosen flags and prints what it saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type GrantSnapshot, listedNodeGrants } from '../../src/runtime/permissions.ts';
import { nodePermissionFlag } from '../../src/config/grant_check.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { DENO, NODE24 } from '../helpers/harness.ts';

const dir = makeTree({ 'docs/a.md': '# A\n', 'other/b.md': '# B\n' });
const DOCS = join(dir, 'docs');
const LOG = join(dir, 'audit.jsonl');
const PLAN = { read: [join(DOCS, 'x'), join(dir, 'other', 'x'), '/x'], write: [LOG, join(dir, 'other', 'x')] };

const probeFile = join(tempDir(), 'probe.mjs');
const built = (async () => {
  const entry = join(tempDir(), 'probe_entry.ts');
  writeFileSync(
    entry,
    `import { probeGrants } from ${JSON.stringify(resolve('src/runtime/permissions.ts'))};\n` +
      `const plan = JSON.parse(process.argv[process.argv.length - 1]);\nprocess.stdout.write(JSON.stringify(probeGrants(plan)));\n`,
  );
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: probeFile,
    logLevel: 'warning',
  });
})();

async function probeUnder(cmd: string, flags: readonly string[]): Promise<GrantSnapshot> {
  await built;
  const r = spawnSync(cmd, [...flags, probeFile, JSON.stringify(PLAN)], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as GrantSnapshot;
}

const granted = (s: GrantSnapshot) => s.capabilities.filter((c) => c.access === 'granted').map((c) => c.name);

test('`listedNodeGrants()` reads both flag spellings, resolves relative paths and keeps "*"', () => {
  const argv = [
    '--permission',
    '--allow-fs-read=/a',
    '--allow-fs-read',
    'rel/b',
    '--allow-fs-write=*',
    '--allow-fs-read=',
    '--stack-size=10',
  ];
  assert.deepEqual(listedNodeGrants(argv, '/cwd'), { read: ['/a', '/cwd/rel/b'], write: ['*'], flags: argv });
});

test('`probeGrants()` under Node without the permission model reports no sandbox', async () => {
  const s = await probeUnder(process.execPath, []);
  assert.equal(s.runtime, 'node');
  assert.equal(s.sandboxed, false);
});

for (
  const [name, node, version] of [
    ['this Node', process.execPath, process.versions.node],
    ['Node 24', NODE24, '24'],
  ] as const
) {
  test(`\`probeGrants()\` under ${name} with its permission flag sees exactly the granted paths and flags`, {
    skip: !existsSync(node) && 'no Node 24 in test/runtimes: npm test installs it',
  }, async () => {
    const flag = nodePermissionFlag(version);
    const s = await probeUnder(node, [
      flag,
      `--allow-fs-read=${probeFile}`,
      `--allow-fs-read=${DOCS}`,
      `--allow-fs-write=${LOG}`,
    ]);
    assert.equal(s.sandboxed, true);
    assert.equal(s.readAll, false);
    assert.equal(s.writeAll, false);
    assert.deepEqual(s.read, [join(DOCS, 'x')]);
    assert.deepEqual(s.write, [LOG]);
    assert.deepEqual({ read: s.listed?.read, write: s.listed?.write }, { read: [probeFile, DOCS], write: [LOG] });
    assert.deepEqual(s.inherited, [], 'nothing inherited above fd 2');
    assert.deepEqual(granted(s), []);
    const wide = await probeUnder(node, [flag, '--allow-fs-read=*', '--allow-child-process', '--allow-worker']);
    assert.equal(wide.readAll, true);
    assert.deepEqual(granted(wide), ['child', 'worker']);
  });
}

test('`probeGrants()` under Deno tells granted, denied and not-denied permissions apart', async () => {
  const lockdown = ['--deny-net', '--deny-run', '--deny-ffi', '--deny-env', '--deny-sys', '--deny-import'];
  const s = await probeUnder(DENO, [
    'run',
    '--no-prompt',
    `--allow-read=${probeFile},${DOCS}`,
    `--allow-write=${LOG}`,
    ...lockdown,
  ]);
  assert.equal(s.runtime, 'deno');
  assert.deepEqual([s.sandboxed, s.readAll, s.writeAll, s.listed], [true, false, false, null]);
  assert.deepEqual(s.read, [join(DOCS, 'x')]);
  assert.deepEqual(s.write, [LOG]);
  assert.ok(s.capabilities.every((c) => c.access === 'denied'), JSON.stringify(s.capabilities));

  const all = await probeUnder(DENO, ['run', '-A']);
  assert.deepEqual([all.readAll, all.writeAll], [true, true]);
  assert.deepEqual(granted(all), ['net', 'run', 'ffi', 'env', 'sys', 'import']);

  const partial = await probeUnder(DENO, [
    'run',
    '--no-prompt',
    `--allow-read=${probeFile},${dir}`,
    '--allow-net=example.com',
  ]);
  assert.deepEqual(partial.read, [join(DOCS, 'x'), join(dir, 'other', 'x')]);
  assert.equal(
    partial.capabilities.find((c) => c.name === 'net')?.access,
    'prompt',
    'a grant for one host is not visible as a grant',
  );
});
