// stage's other guards, through the real updater bundle with throwaway keys: an authentic but older
// release (a replayed downgrade) is refused unless --allow-downgrade, on record, and switch checks the
// order again against the live file of its own time; --trust-key never pins a key on the word of an
// unsigned release; a FIFO planted next to the candidate cannot make stage wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareVersions } from '../../src/update/version_order.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE } from '../helpers/harness.ts';

const UPDATER = resolve('dist/docwarden-update.js');
const sha = (b: string): string => createHash('sha256').update(b).digest('hex');
const bundle = (version: string): string => `var SERVER_VERSION = true ? "${version}" : "";\n// release ${version}\n`;

function keyPair(): { pub: string; sig: (bytes: string) => string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = join(tempDir('dw-guard-key-'), 'release.pub.pem');
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { pub, sig: (bytes) => `${sign(null, Buffer.from(bytes), privateKey).toString('base64')}\n` };
}

function release(version: string, signer: ReturnType<typeof keyPair> | null, text = bundle(version)): string {
  const file = join(tempDir('dw-guard-rel-'), 'docwarden.js');
  writeFileSync(file, text);
  if (signer !== null) writeFileSync(`${file}.sig`, signer.sig(text));
  return file;
}

function run(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [UPDATER, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const trail = (dir: string): Record<string, unknown>[] =>
  readFileSync(join(dir, 'update-audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) =>
    JSON.parse(l) as Record<string, unknown>
  );

test('compareVersions() orders releases by SemVer precedence and does not guess at non-versions', () => {
  assert.ok(compareVersions('0.1.0', '0.2.0') < 0);
  assert.ok(compareVersions('0.10.0', '0.9.9') > 0, 'numeric, not text order');
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0') < 0, 'a pre-release comes before its release');
  assert.ok(compareVersions('1.0.0-rc.2', '1.0.0-rc.10') < 0);
  assert.ok(compareVersions('1.0.0-alpha', '1.0.0-1') > 0, 'alphanumeric after numeric identifiers');
  assert.equal(compareVersions('1.2.3+build.5', '1.2.3'), 0);
  assert.ok(Number.isNaN(compareVersions('nightly', '1.0.0')));
});

test('stage refuses a signed release older than the live one unless --allow-downgrade, and records both', () => {
  const k = keyPair();
  const dir = tempDir('dw-guard-install-');
  writeFileSync(join(dir, 'docwarden.js'), bundle('0.2.0'));
  const old = release('0.1.0', k);
  const r = run(['stage', old, '--trust-key', k.pub, '--install', dir]);
  assert.equal(r.status, 1, r.out);
  assert.match(
    r.out,
    /Refused: the candidate is version 0\.1\.0, older than the live 0\.2\.0; --allow-downgrade stages it anyway/,
  );
  assert.equal(existsSync(join(dir, 'staging', 'docwarden.js')), false, 'nothing is staged');
  assert.ok(trail(dir).some((t) => t['step'] === 'downgrade' && t['outcome'] === 'refused'));
  const allowed = run(['stage', old, '--trust-key', k.pub, '--install', dir, '--allow-downgrade']);
  assert.equal(allowed.status, 0, allowed.out);
  assert.match(allowed.out, /Note: downgrading from 0\.2\.0 to 0\.1\.0 \(--allow-downgrade\)/);
  assert.ok(
    trail(dir).some((t) =>
      t['step'] === 'downgrade' && t['outcome'] === 'info' && JSON.stringify(t['detail']).includes('"allowed":true')
    ),
  );
  const newer = run(['stage', release('0.3.0', k), '--install', dir]);
  assert.equal(newer.status, 0, newer.out);
  assert.doesNotMatch(newer.out, /downgrad/i);
});

test('switch refuses a staged release older than the live file of now, unless it was staged with --allow-downgrade', () => {
  const k = keyPair();
  const real = readFileSync(BUNDLE, 'utf8');
  const at = (v: string): string => real.replace(/(SERVER_VERSION = (?:true \? )?)"[^"]+"/, `$1"${v}"`);
  const config = join(tempDir('dw-guard-cfg-'), 'config.json');
  const docs = makeTree({ 'a.md': '# A\n\nText.\n' });
  writeFileSync(config, JSON.stringify({ roots: [{ name: 'docs', path: docs }], limits: { callsPerMinute: 0 } }));
  for (const allow of [false, true]) {
    const dir = tempDir('dw-guard-install-');
    const live = join(dir, 'docwarden.js');
    writeFileSync(live, at('0.8.0'));
    const staged = run(['stage', release('0.9.0', k, at('0.9.0')), '--trust-key', k.pub, '--install', dir].concat(
      allow ? ['--allow-downgrade'] : [],
    ));
    assert.equal(staged.status, 0, staged.out);
    assert.doesNotMatch(staged.out, /downgrad/i, 'newer than the live file at stage');
    writeFileSync(live, at('1.0.0')); // the live file moves on after stage (a copy by hand, a rollback undone)
    const verified = run(['verify', '--install', dir, '--config', config]);
    assert.equal(verified.status, 0, verified.out);
    const r = run(['switch', '--install', dir]);
    if (!allow) {
      assert.equal(r.status, 1, r.out);
      assert.match(
        r.out,
        /Refused: the staged file is version 0\.9\.0, older than the live 1\.0\.0; to switch to it anyway, stage it again with --allow-downgrade/,
      );
      assert.equal(readFileSync(live, 'utf8'), at('1.0.0'), 'the live file is untouched');
    } else {
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /Note: downgrading from 1\.0\.0 to 0\.9\.0 \(--allow-downgrade at stage\)/);
      assert.equal(readFileSync(live, 'utf8'), at('0.9.0'));
      assert.ok(trail(dir).some((t) => t['command'] === 'switch' && t['step'] === 'downgrade'));
      assert.equal(existsSync(join(dir, 'staging', 'allow-downgrade.json')), false, 'the allowance goes with the file');
    }
  }
});

test('--trust-key with --allow-unsigned pins nothing: an unsigned release cannot vouch for a key', () => {
  const k = keyPair();
  const dir = tempDir('dw-guard-install-');
  writeFileSync(join(dir, 'docwarden.js'), bundle('1.0.0'));
  const file = release('1.1.0', null);
  const r = run([
    'stage',
    file,
    '--trust-key',
    k.pub,
    '--allow-unsigned',
    '--sha256',
    sha(bundle('1.1.0')),
    '--install',
    dir,
  ]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /--trust-key is pinned only together with a release whose signature it verifies/);
  assert.equal(existsSync(join(dir, 'trusted-key.pem')), false, 'no key was pinned');
  assert.equal(existsSync(join(dir, 'staging', 'docwarden.js')), false);
  const signed = run(['stage', release('1.1.0', k), '--trust-key', k.pub, '--install', dir]);
  assert.equal(signed.status, 0, signed.out);
  assert.ok(existsSync(join(dir, 'trusted-key.pem')), 'a signed release pins it');
});

test('a FIFO named manifest.json next to the candidate is refused at once; stage does not wait for a writer', {
  skip: process.platform === 'win32' && 'no FIFOs',
}, () => {
  const k = keyPair();
  const dir = tempDir('dw-guard-install-');
  writeFileSync(join(dir, 'docwarden.js'), bundle('1.0.0'));
  const file = release('1.1.0', k);
  const fifo = spawnSync('mkfifo', [join(file, '..', 'manifest.json')]);
  assert.equal(fifo.status, 0, 'mkfifo');
  // The hang guard is spawnSync's timeout: a stage that opened the FIFO blocking would be killed there.
  const r = run(['stage', file, '--trust-key', k.pub, '--install', dir]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /Cannot read the manifest next to the candidate: not a regular file/);
  assert.equal(existsSync(join(dir, 'staging', 'docwarden.js')), false);
  assert.equal(existsSync(join(dir, '.update.lock')), false, 'the lock was released');
});
