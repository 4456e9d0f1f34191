// Authentic releases with throwaway keys, through the real updater bundle: stage takes only a candidate
// signed by the key pinned for the install folder; a wrongly signed, an unsigned and a re-signed-by-
// another-key release are each refused, nothing is staged and the live file is untouched. The key is
// pinned at first install and changed only by `trust-key`, endorsed by the old key or --replace, on record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';

const UPDATER = resolve('dist/docwarden-update.js');
const LIVE = 'var SERVER_VERSION = true ? "1.0.0" : "";\n// live\n';
const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

type Key = { readonly pub: string; readonly priv: KeyObject };

function key(kind: 'ed25519' | 'ed448' = 'ed25519'): Key {
  const { privateKey, publicKey } = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
  const pub = join(tempDir('dw-sig-key-'), 'release.pub.pem');
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { pub, priv: privateKey };
}

const signature = (k: Key, bytes: string | Uint8Array): string =>
  `${sign(null, Buffer.from(bytes), k.priv).toString('base64')}\n`;

/** A release file, with `<file>.sig` by `signer` unless null. */
function release(version: string, signer: Key | null): string {
  const file = join(tempDir('dw-sig-rel-'), 'docwarden.js');
  const bytes = `var SERVER_VERSION = true ? "${version}" : "";\n// release ${version}\n`;
  writeFileSync(file, bytes);
  if (signer !== null) writeFileSync(`${file}.sig`, signature(signer, bytes));
  return file;
}

function run(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [UPDATER, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function install(): string {
  const dir = tempDir('dw-sig-install-');
  writeFileSync(join(dir, 'docwarden.js'), LIVE);
  return dir;
}

function trail(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'update-audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) =>
    JSON.parse(l) as Record<string, unknown>
  );
}

function refused(dir: string, r: { status: number | null; out: string }, why: RegExp): void {
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, why);
  assert.equal(existsSync(join(dir, 'staging', 'docwarden.js')), false, 'nothing is staged');
  assert.equal(readFileSync(join(dir, 'docwarden.js'), 'utf8'), LIVE, 'the live file is untouched');
}

test('a release signed by the pinned key is staged; wrongly signed, unsigned and other-key releases are refused', () => {
  const a = key();
  const b = key();
  const dir = install();
  const first = run(['stage', release('1.1.0', a), '--trust-key', a.pub, '--install', dir]);
  assert.equal(first.status, 0, first.out);
  assert.match(first.out, /Pinned release key SHA256:[0-9a-f]{64} for this install folder/);
  assert.match(first.out, /Staged 1\.1\.0 sha256 [0-9a-f]{64} \(no manifest\), signed by SHA256:/);
  assert.equal(readFileSync(join(dir, 'trusted-key.pem'), 'utf8'), readFileSync(a.pub, 'utf8'));
  const fingerprint = /Pinned release key (SHA256:[0-9a-f]{64})/.exec(first.out)?.[1];
  assert.match(run(['status', '--install', dir]).out, new RegExp(`key {6}${fingerprint}`));

  // Wrongly signed: a valid signature by the right key, of other bytes.
  const wrong = release('1.2.0', null);
  writeFileSync(`${wrong}.sig`, signature(a, 'some other release'));
  refused(
    dir,
    run(['stage', wrong, '--install', dir]),
    /Refused: .*docwarden\.js\.sig is not a valid signature of the candidate by the pinned release key/,
  );
  // Re-signed by another key.
  refused(
    dir,
    run(['stage', release('1.3.0', b), '--install', dir]),
    /not a valid signature .* \(another key signed it/,
  );
  // Malformed signature text, and a --sig FILE naming the signature elsewhere.
  const garbled = release('1.4.0', null);
  writeFileSync(`${garbled}.sig`, 'not base64 at all\n');
  refused(dir, run(['stage', garbled, '--install', dir]), /not a valid signature/);
  const elsewhere = join(tempDir('dw-sig-'), 'detached.sig');
  writeFileSync(elsewhere, signature(b, readFileSync(garbled)));
  refused(dir, run(['stage', garbled, '--sig', elsewhere, '--install', dir]), /detached\.sig is not a valid signature/);
  // Unsigned: refused unless --allow-unsigned, and then only with a hash; the trail records it.
  const unsigned = release('1.5.0', null);
  refused(
    dir,
    run(['stage', unsigned, '--install', dir]),
    /the candidate is unsigned \(no docwarden\.js\.sig beside it, no --sig\); --allow-unsigned stages it anyway/,
  );
  refused(dir, run(['stage', unsigned, '--allow-unsigned', '--install', dir]), /an unsigned candidate needs --sha256/);
  const allowed = run([
    'stage',
    unsigned,
    '--allow-unsigned',
    '--sha256',
    sha(readFileSync(unsigned)),
    '--install',
    dir,
  ]);
  assert.equal(allowed.status, 0, allowed.out);
  assert.match(allowed.out, /UNSIGNED \(--allow-unsigned\)/);
  const steps = trail(dir).filter((t) => t['command'] === 'stage');
  assert.equal(steps.filter((t) => t['step'] === 'signature' && t['outcome'] === 'refused').length, 5);
  assert.deepEqual(steps.at(-2)?.['detail'], { unsignedAllowed: true, reason: 'no signature' });
  // A different --trust-key does not replace the pinned one.
  refused(
    dir,
    run(['stage', release('1.6.0', b), '--trust-key', b.pub, '--install', dir]),
    /is not the key pinned for this install folder .*trust-key FILE --install DIR/,
  );
});

test('without a pinned key stage refuses, and a key that is not Ed25519 is refused by name', () => {
  const dir = install();
  refused(
    dir,
    run(['stage', release('2.0.0', key()), '--install', dir]),
    /no release key is pinned for this install folder: pass --trust-key FILE/,
  );
  const ed448 = key('ed448');
  refused(
    dir,
    run(['stage', release('2.0.0', null), '--trust-key', ed448.pub, '--install', dir]),
    /Cannot use the --trust-key file: an ed448 key; release keys are Ed25519/,
  );
  assert.equal(existsSync(join(dir, 'trusted-key.pem')), false, 'a release that does not verify pins nothing');
});

test('key rotation: the pinned key endorses the new one (or the operator says --replace), on record', () => {
  const old = key();
  const next = key();
  const dir = install();
  assert.equal(run(['stage', release('3.0.0', old), '--trust-key', old.pub, '--install', dir]).status, 0);
  // Not endorsed: refused, the old key stays.
  const bare = run(['trust-key', next.pub, '--install', dir]);
  assert.equal(bare.status, 1, bare.out);
  assert.match(bare.out, /is pinned, and there is no endorsement .*\.sig.*--replace/);
  // Endorsed by the wrong key: refused too.
  writeFileSync(`${next.pub}.sig`, signature(next, readFileSync(next.pub)));
  assert.equal(run(['trust-key', next.pub, '--install', dir]).status, 1);
  // Endorsed by the pinned key: the documented rotation (node scripts/sign.mjs --sign-key OLD NEW.pub.pem).
  const signed = spawnSync(process.execPath, ['scripts/sign.mjs', '--sign-key', exportKey(old), next.pub], {
    encoding: 'utf8',
  });
  assert.equal(signed.status, 0, signed.stderr);
  const rotated = run(['trust-key', next.pub, '--install', dir]);
  assert.equal(rotated.status, 0, rotated.out);
  assert.match(
    rotated.out,
    /Pinned release key SHA256:[0-9a-f]{64} \(endorsed by the pinned key\); it replaces SHA256:/,
  );
  refused(dir, run(['stage', release('3.1.0', old), '--install', dir]), /not a valid signature/);
  assert.equal(run(['stage', release('3.1.0', next), '--install', dir]).status, 0);
  // A lost key: replaced only on the operator's word.
  const third = key();
  const replaced = run(['trust-key', third.pub, '--install', dir, '--replace']);
  assert.equal(replaced.status, 0, replaced.out);
  const pins = trail(dir).filter((t) => t['command'] === 'trust-key').map((t) =>
    `${t['step']}:${t['outcome']}:${(t['detail'] as Record<string, unknown>)['how'] ?? ''}`
  );
  assert.deepEqual(pins, [
    'pinned:ok:',
    'check:refused:',
    'check:refused:',
    'pinned:ok:endorsed by the pinned key',
    'pinned:ok:replaced by the operator (--replace)',
  ]);
});

function exportKey(k: Key): string {
  const file = join(tempDir('dw-sig-priv-'), 'old.pem');
  writeFileSync(file, k.priv.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}
