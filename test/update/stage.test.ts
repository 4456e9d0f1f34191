// stage: only bytes with the expected SHA-256 get into staging, a manifest only when it describes them,
// and a refusal also clears an earlier staged file so a later switch cannot pick it up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { UpdateContext } from '../../src/update/context.ts';
import { layoutOf } from '../../src/update/layout.ts';
import { sha256For, stage, type StageRequest } from '../../src/update/stage.ts';
import { NO_TRAIL } from '../../src/update/trail.ts';
import { tempDir } from '../helpers/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const BUNDLE = 'var SERVER_VERSION = true ? "2.0.0" : "";\n';

function ctxFor(): { ctx: UpdateContext; lines: string[] } {
  const lines: string[] = [];
  const ctx: UpdateContext = {
    layout: layoutOf(tempDir('dw-stage-')),
    trail: NO_TRAIL,
    out: (s) => lines.push(s),
    runtime: { name: 'node', bin: process.execPath },
    childEnv: {},
    afterStep: () => undefined,
  };
  return { ctx, lines };
}

function candidate(files: Record<string, string>): string {
  const dir = tempDir('dw-cand-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, 'docwarden.js');
}

/** Unsigned requests (no key is pinned in these tests; test/update/signing.test.ts covers signatures). */
const req = (r: Pick<StageRequest, 'file' | 'sha256' | 'sha256File' | 'manifest'>): StageRequest => ({
  ...r,
  sig: null,
  trustKey: null,
  allowUnsigned: true,
  allowDowngrade: false,
});

test('sha256For() takes only the entry that names the file, never just the first line', () => {
  const h = sha('x');
  const other = sha('y');
  assert.equal(sha256For(`${h}  docwarden.js\n`, 'docwarden.js'), h);
  assert.equal(sha256For(`${other}  docwarden-update.js\n${h.toUpperCase()} *dist/docwarden.js\n`, 'docwarden.js'), h);
  assert.equal(
    sha256For(`${other}  docwarden-update.js\n`, 'docwarden.js'),
    null,
    'an entry for another file is not used',
  );
  assert.equal(sha256For(h, 'docwarden.js'), null, 'a bare hash names no file');
  assert.equal(sha256For(`sha256 ${h}  docwarden.js`, 'docwarden.js'), null);
  assert.equal(sha256For(`${h}0  docwarden.js`, 'docwarden.js'), null);
});

test('stage() copies a matching candidate with the manifest next to it', () => {
  const { ctx, lines } = ctxFor();
  const file = candidate({
    'docwarden.js': BUNDLE,
    'manifest.json': JSON.stringify({ version: '2.0.0', sha256: sha(BUNDLE), tools: [] }),
  });
  assert.equal(stage(ctx, req({ file, sha256: sha(BUNDLE), sha256File: null, manifest: null })), 0);
  assert.equal(readFileSync(ctx.layout.staged, 'utf8'), BUNDLE);
  assert.ok(existsSync(ctx.layout.stagedManifest));
  assert.match(lines[0] ?? '', /Staged 2\.0\.0 sha256 [0-9a-f]{64} with its manifest/);
});

test('stage() ignores a neighbouring manifest that describes another file, but refuses such a --manifest', () => {
  const { ctx, lines } = ctxFor();
  const other = JSON.stringify({ version: '1.0.0', sha256: sha('other'), tools: [] });
  const file = candidate({ 'docwarden.js': BUNDLE, 'manifest.json': other });
  assert.equal(stage(ctx, req({ file, sha256: sha(BUNDLE), sha256File: null, manifest: null })), 0);
  assert.equal(existsSync(ctx.layout.stagedManifest), false);
  assert.match(lines.join('\n'), /describes another file \(.*\); staging without a manifest/);
  assert.equal(
    stage(ctx, req({ file, sha256: sha(BUNDLE), sha256File: null, manifest: join(file, '..', 'manifest.json') })),
    1,
  );
  assert.match(lines.join('\n'), /the --manifest describes another file/);
  assert.equal(existsSync(ctx.layout.staged), false);
});

test('stage() refuses a mismatching candidate and clears what was staged before', () => {
  const { ctx, lines } = ctxFor();
  mkdirSync(ctx.layout.stagingDir, { recursive: true });
  writeFileSync(ctx.layout.staged, 'an earlier candidate');
  writeFileSync(ctx.layout.verified, '{}');
  const file = candidate({ 'docwarden.js': BUNDLE + '// tampered\n' });
  assert.equal(stage(ctx, req({ file, sha256: sha(BUNDLE), sha256File: null, manifest: null })), 1);
  assert.match(lines[0] ?? '', /Refused: the candidate's SHA-256 is/);
  assert.equal(existsSync(ctx.layout.staged), false);
  assert.equal(existsSync(ctx.layout.verified), false);
});

test('stage() reads the expected hash from a .sha256 file and refuses one without an entry for the file', () => {
  const { ctx, lines } = ctxFor();
  const file = candidate({
    'docwarden.js': BUNDLE,
    'good.sha256': `${sha('updater')}  docwarden-update.js\n${sha(BUNDLE)}  docwarden.js\n`,
    'other.sha256': `${sha(BUNDLE)}  docwarden-update.js\n`,
  });
  assert.equal(stage(ctx, req({ file, sha256: null, sha256File: join(file, '..', 'good.sha256'), manifest: null })), 0);
  assert.match(lines.join('\n'), /UNSIGNED \(--allow-unsigned\)/);
  assert.throws(
    () => stage(ctx, req({ file, sha256: null, sha256File: join(file, '..', 'other.sha256'), manifest: null })),
    /has no entry for "docwarden\.js"/,
  );
});

test('stage() refuses an unsigned candidate without a hash even with --allow-unsigned: nothing would vouch for it', () => {
  const { ctx, lines } = ctxFor();
  const file = candidate({ 'docwarden.js': BUNDLE });
  assert.equal(stage(ctx, req({ file, sha256: null, sha256File: null, manifest: null })), 1);
  assert.match(lines.join('\n'), /an unsigned candidate needs --sha256 HEX or --sha256-file FILE/);
  assert.equal(existsSync(ctx.layout.staged), false);
});
