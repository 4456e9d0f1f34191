// `trust-key` (src/update/trust.ts) with throwaway keys on a real install folder: the first key is pinned,
// the same key again changes nothing, a new key is taken only when the pinned key endorsed it (FILE.sig) or
// the operator says --replace, each on record; otherwise refused and the pinned key stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UpdateContext } from '../../src/update/context.ts';
import { layoutOf } from '../../src/update/layout.ts';
import { openTrail } from '../../src/update/trail.ts';
import { trustKey } from '../../src/update/trust.ts';
import { tempDir } from '../helpers/fixtures.ts';

const keyFile = (dir: string, name: string, signer?: { readonly privateKey: KeyObject }) => {
  const k = generateKeyPairSync('ed25519');
  const pem = k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const path = join(dir, name);
  writeFileSync(path, pem);
  if (signer) writeFileSync(`${path}.sig`, sign(null, Buffer.from(pem), signer.privateKey).toString('base64'));
  return { path, pem, pair: k };
};

function folder() {
  const dir = tempDir('dw-trust-');
  const lines: string[] = [];
  const layout = layoutOf(dir);
  const ctx: UpdateContext = {
    layout,
    trail: openTrail(layout.audit),
    out: (s) => lines.push(s),
    runtime: { name: 'node', bin: process.execPath },
    childEnv: {},
    afterStep: () => undefined,
  };
  const trail = () =>
    readFileSync(layout.audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { dir, ctx, lines, pinned: () => readFileSync(layout.trustedKey, 'utf8'), trail };
}

test('the first key is pinned (0644, on record); the same key again changes nothing', () => {
  const f = folder();
  const first = keyFile(f.dir, 'first.pem');
  assert.equal(trustKey(f.ctx, { file: first.path, replace: false }), 0);
  assert.equal(f.pinned(), first.pem);
  assert.equal(statSync(f.ctx.layout.trustedKey).mode & 0o777, 0o644);
  assert.match(f.lines[0] ?? '', /^Pinned release key SHA256:[0-9a-f]{64} \(first key\)\.$/);
  assert.equal(trustKey(f.ctx, { file: first.path, replace: false }), 0);
  assert.match(f.lines[1] ?? '', /^Nothing to do: /);
  assert.deepEqual(f.trail().map((r) => r['outcome']), ['ok']);
});

test('a new key: refused without endorsement, taken when the pinned key signed it or with --replace', () => {
  const f = folder();
  const first = keyFile(f.dir, 'first.pem');
  trustKey(f.ctx, { file: first.path, replace: false });
  const stranger = keyFile(f.dir, 'stranger.pem');
  assert.equal(trustKey(f.ctx, { file: stranger.path, replace: false }), 1);
  assert.match(
    f.lines.at(-1) ?? '',
    /^Refused: SHA256:\w+ is pinned, and there is no endorsement .*stranger\.pem\.sig\. .*--replace/,
  );
  assert.equal(f.pinned(), first.pem, 'unchanged');
  const forged = keyFile(f.dir, 'forged.pem', generateKeyPairSync('ed25519'));
  assert.equal(trustKey(f.ctx, { file: forged.path, replace: false }), 1);
  assert.match(f.lines.at(-1) ?? '', /it did not sign the endorsement/);
  const endorsed = keyFile(f.dir, 'next.pem', first.pair);
  assert.equal(trustKey(f.ctx, { file: endorsed.path, replace: false }), 0);
  assert.equal(f.pinned(), endorsed.pem);
  assert.match(f.lines.at(-1) ?? '', /\(endorsed by the pinned key\); it replaces SHA256:/);
  assert.equal(trustKey(f.ctx, { file: stranger.path, replace: true }), 0);
  assert.equal(f.pinned(), stranger.pem);
  const detail = (r: Record<string, unknown>) => r['detail'] as Record<string, unknown>;
  assert.deepEqual(f.trail().filter((r) => r['outcome'] === 'ok').map((r) => detail(r)['how']), [
    'first key',
    'endorsed by the pinned key',
    'replaced by the operator (--replace)',
  ]);
  const refused = f.trail().filter((r) => r['outcome'] === 'refused');
  assert.equal(refused.length, 2);
  for (const r of refused) assert.match(String(detail(r)['reason']), /^SHA256:\w+ is pinned, and /);
});
