// switch and rollback without any server: the refusals that protect the live file, the order of the
// steps (previous kept before the rename), manifests travelling with their files, and rollback's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { UpdateContext } from '../../src/update/context.ts';
import { type Layout, layoutOf } from '../../src/update/layout.ts';
import { rollback, switchLive } from '../../src/update/switch.ts';
import { openTrail } from '../../src/update/trail.ts';
import { tempDir } from '../helpers/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const OLD = 'var SERVER_VERSION = true ? "1.0.0" : "";\n// old\n';
const NEW = 'var SERVER_VERSION = true ? "1.1.0" : "";\n// new\n';
const manifest = (bundle: string, version: string) => JSON.stringify({ version, sha256: sha(bundle), tools: [] });

type Harness = {
  l: Layout;
  ctx: UpdateContext;
  lines: string[];
  steps: string[];
  trail: () => Record<string, unknown>[];
};

function install(
  files: { live?: string; staged?: string; verifiedFor?: { staged: string; live: string | null } } = {},
): Harness {
  const l = layoutOf(tempDir('dw-switch-'));
  mkdirSync(l.stagingDir, { recursive: true });
  if (files.live !== undefined) writeFileSync(l.live, files.live);
  if (files.staged !== undefined) writeFileSync(l.staged, files.staged);
  if (files.verifiedFor) {
    const st = existsSync(l.staged) ? statSync(l.staged) : null;
    const identity = st === null ? null : { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    writeFileSync(
      l.verified,
      JSON.stringify({
        sha256: sha(files.verifiedFor.staged),
        identity,
        liveSha256: files.verifiedFor.live === null ? null : sha(files.verifiedFor.live),
      }),
    );
  }
  const lines: string[] = [];
  const steps: string[] = [];
  const ctx: UpdateContext = {
    layout: l,
    trail: openTrail(l.audit),
    out: (s) => lines.push(s),
    runtime: { name: 'node', bin: process.execPath },
    childEnv: {},
    afterStep: (s) => steps.push(s),
  };
  const trail = () =>
    readFileSync(l.audit, 'utf8').split('\n').filter(Boolean).map((x) => JSON.parse(x) as Record<string, unknown>);
  return { l, ctx, lines, steps, trail };
}

test('switchLive() refuses, and leaves the live file untouched, unless the staged file passed verify against this live file', () => {
  const cases: [Parameters<typeof install>[0], RegExp][] = [
    [{ live: OLD }, /nothing is staged/],
    [{ live: OLD, staged: NEW }, /has not passed verify/],
    [{ live: OLD, staged: NEW, verifiedFor: { staged: 'something else', live: OLD } }, /has not passed verify/],
    [
      { live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: 'another live file' } },
      /live file changed since verify/,
    ],
    [{ live: NEW, staged: NEW, verifiedFor: { staged: NEW, live: NEW } }, /already live/],
  ];
  for (const [files, why] of cases) {
    const h = install(files);
    assert.equal(switchLive(h.ctx), 1);
    assert.match(h.lines.join('\n'), why);
    assert.equal(readFileSync(h.l.live, 'utf8'), files?.live);
    assert.equal(existsSync(h.l.previous), false);
    assert.deepEqual(h.steps, []);
    assert.equal(h.trail().at(-1)?.['outcome'], 'refused');
  }
});

test('switchLive() keeps the previous file before the rename, moves manifests with their files, and cleans staging', () => {
  const h = install({ live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: OLD } });
  writeFileSync(h.l.liveManifest, manifest(OLD, '1.0.0'));
  writeFileSync(h.l.stagedManifest, manifest(NEW, '1.1.0'));
  assert.equal(switchLive(h.ctx), 0);
  assert.deepEqual(h.steps, ['check', 'keep_previous', 'write_temp', 'rename', 'manifest', 'cleanup']);
  assert.equal(readFileSync(h.l.live, 'utf8'), NEW);
  assert.equal(readFileSync(h.l.previous, 'utf8'), OLD);
  assert.equal(JSON.parse(readFileSync(h.l.liveManifest, 'utf8')).version, '1.1.0');
  assert.equal(JSON.parse(readFileSync(h.l.previousManifest, 'utf8')).version, '1.0.0');
  for (const f of [h.l.staged, h.l.stagedManifest, h.l.verified]) assert.equal(existsSync(f), false);
  assert.deepEqual(h.trail().map((r) => r['step']), [
    'check',
    'keep_previous',
    'write_temp',
    'rename',
    'manifest',
    'cleanup',
    'end',
  ]);
});

test('switchLive() does not carry a manifest that describes another file', () => {
  const h = install({ live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: OLD } });
  writeFileSync(h.l.liveManifest, manifest('not the live bytes', '0.9.0'));
  assert.equal(switchLive(h.ctx), 0);
  assert.equal(existsSync(h.l.previousManifest), false);
  assert.equal(existsSync(h.l.liveManifest), false, 'no staged manifest: the stale live one is removed');
});

test('switchLive() installs a first version when there is no live file yet', () => {
  const h = install({ staged: NEW, verifiedFor: { staged: NEW, live: null } });
  assert.equal(switchLive(h.ctx), 0);
  assert.deepEqual(h.steps, ['check', 'write_temp', 'rename', 'manifest', 'cleanup']);
  assert.equal(readFileSync(h.l.live, 'utf8'), NEW);
  assert.equal(existsSync(h.l.previous), false);
});

test('rollback() restores the previous bytes and manifest, and is a no-op once restored', () => {
  const h = install({ live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: OLD } });
  writeFileSync(h.l.liveManifest, manifest(OLD, '1.0.0'));
  assert.equal(switchLive(h.ctx), 0);
  h.steps.length = 0;
  assert.equal(rollback(h.ctx), 0);
  assert.deepEqual(h.steps, ['check', 'write_temp', 'rename', 'manifest']);
  assert.equal(readFileSync(h.l.live, 'utf8'), OLD);
  assert.equal(JSON.parse(readFileSync(h.l.liveManifest, 'utf8')).version, '1.0.0');
  h.steps.length = 0;
  assert.equal(rollback(h.ctx), 0);
  assert.deepEqual(h.steps, []);
  assert.match(h.lines.at(-1) ?? '', /already is the previous version/);
});

test('rollback() refuses when nothing was ever switched', () => {
  const h = install({ live: OLD });
  assert.equal(rollback(h.ctx), 1);
  assert.equal(readFileSync(h.l.live, 'utf8'), OLD);
  assert.match(h.lines.join('\n'), /no previous version/);
});

test('switchLive() refuses a staged file replaced after verify, even by the same bytes (another file)', () => {
  const h = install({ live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: OLD } });
  rmSync(h.l.staged);
  writeFileSync(h.l.staged, NEW);
  assert.equal(switchLive(h.ctx), 1);
  assert.match(h.lines.join('\n'), /replaced or rewritten since verify/);
  assert.equal(readFileSync(h.l.live, 'utf8'), OLD);
});

test('rollback() refuses a previous file that is not the one kept, or one kept without a record', () => {
  const h = install({ live: OLD, staged: NEW, verifiedFor: { staged: NEW, live: OLD } });
  assert.equal(switchLive(h.ctx), 0);
  assert.equal(JSON.parse(readFileSync(h.l.previousRecord, 'utf8')).sha256, sha(OLD));
  writeFileSync(h.l.previous, 'var SERVER_VERSION = true ? "0.6.6" : "";\n// swapped in\n');
  assert.equal(rollback(h.ctx), 1);
  assert.match(
    h.lines.at(-1) ?? '',
    /it is not the file that was kept \(recorded [0-9a-f]{64}, found [0-9a-f]{64}\); the live file is unchanged/,
  );
  rmSync(h.l.previousRecord);
  writeFileSync(h.l.previous, OLD);
  assert.equal(rollback(h.ctx), 1);
  assert.match(h.lines.at(-1) ?? '', /there is no record of the hash it was kept with/);
  assert.equal(readFileSync(h.l.live, 'utf8'), NEW);
});
