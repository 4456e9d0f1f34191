// Release signatures (src/update/signature.ts) with throwaway keys: only an Ed25519 PEM public key is
// taken (another algorithm refused by name), a signature holds for the exact bytes and key only, anything
// malformed is simply invalid, and the signature file is the one named or FILE.sig beside the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateError } from '../../src/update/files.ts';
import { parsePublicKey, readPublicKey, readSignature, signatureValid } from '../../src/update/signature.ts';
import { makeTree } from '../helpers/fixtures.ts';

const pair = () => generateKeyPairSync('ed25519');
const pem = (k: ReturnType<typeof pair>) =>
  new TextEncoder().encode(k.publicKey.export({ type: 'spki', format: 'pem' }) as string);
const a = pair();
const b = pair();
const BYTES = new TextEncoder().encode('console.log("release")\n');
const sigOf = (bytes: Uint8Array, k = a) => sign(null, bytes, k.privateKey).toString('base64');

test('an Ed25519 public key is taken with its fingerprint; other keys and other text are refused by name', () => {
  const key = parsePublicKey(pem(a), 'the key file');
  assert.match(key.fingerprint, /^SHA256:[0-9a-f]{64}$/);
  assert.notEqual(parsePublicKey(pem(b), 'x').fingerprint, key.fingerprint);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  assert.throws(
    () => parsePublicKey(new TextEncoder().encode(rsa), 'the key file'),
    (e: unknown) =>
      e instanceof UpdateError && e.message === 'Cannot use the key file: an rsa key; release keys are Ed25519',
  );
  assert.throws(() => parsePublicKey(new TextEncoder().encode('hello'), 'the key file'), /not a PEM public key/);
});

test('a signature holds for the exact bytes and the signing key only; malformed text is invalid, not an error', () => {
  const key = parsePublicKey(pem(a), 'k');
  const sig = sigOf(BYTES);
  assert.equal(signatureValid(BYTES, sig, key), true);
  assert.equal(signatureValid(BYTES, `${sig}\n`, key), true, 'a trailing newline is fine');
  const changed = BYTES.slice();
  changed[0] = 0x43;
  assert.equal(signatureValid(changed, sig, key), false);
  assert.equal(signatureValid(BYTES, sigOf(BYTES, b), key), false);
  for (const bad of ['', 'x', sig.slice(1), `${sig} extra`, 'A'.repeat(86) + '==']) {
    assert.equal(signatureValid(BYTES, bad, key), false, bad);
  }
});

test('the signature file: the one named (which must exist) or FILE.sig beside it (which may not)', () => {
  const dir = makeTree({ 'r.js': 'x', 'r.js.sig': 'SIG\n', 'other.sig': 'OTHER' });
  assert.deepEqual(readSignature(join(dir, 'r.js'), null), { path: join(dir, 'r.js.sig'), text: 'SIG\n' });
  assert.deepEqual(readSignature(join(dir, 'r.js'), join(dir, 'other.sig'))?.text, 'OTHER');
  assert.equal(readSignature(join(dir, 'none.js'), null), null);
  assert.throws(
    () => readSignature(join(dir, 'r.js'), join(dir, 'gone.sig')),
    /the --sig file ".*gone.sig": it does not exist/,
  );
  writeFileSync(join(dir, 'big.js.sig'), 'S'.repeat(5000));
  assert.equal(readSignature(join(dir, 'big.js'), null)?.text.length, 1024, 'only the first KiB is read as text');
  assert.equal(readPublicKey(join(dir, 'no-key.pem'), 'the pinned key'), null);
});
