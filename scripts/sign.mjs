// Release signing: an Ed25519 signature (node:crypto, no dependency) of each file's bytes, written as
// <file>.sig (base64, one line). `npm run release -- --sign-key FILE` signs every artifact it writes;
// `node scripts/sign.mjs --sign-key FILE PATH...` signs anything else, such as a new public key during a
// key rotation (docs/updating.md). The private key is read from where the maintainer keeps it (offline
// media) and never copied: nothing but the signatures is written.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Loads a PEM PKCS#8 Ed25519 private key; throws an Error naming the problem. */
export function loadSigningKey(keyFile) {
  let key;
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (err) {
    throw new Error(
      `--sign-key ${JSON.stringify(keyFile)} is not a readable PEM private key (${err.code ?? err.message})`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`--sign-key is an ${key.asymmetricKeyType} key; release keys are Ed25519`);
  return key;
}

/** The fingerprint operators compare with the published key: SHA-256 of the public key (SPKI, DER). */
export function fingerprint(key) {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('hex')}`;
}

/** Signs each file and checks the signature back with the public half before writing it. */
export function signFiles(key, files) {
  const pub = createPublicKey(key);
  for (const file of files) {
    const bytes = readFileSync(file);
    const sig = sign(null, bytes, key);
    if (!verify(null, bytes, pub, sig)) throw new Error(`the signature of ${file} does not verify`);
    writeFileSync(`${file}.sig`, `${sig.toString('base64')}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--sign-key');
  const files = process.argv.slice(2).filter((_, j) => j !== i - 2 && j !== i - 1);
  if (i < 0 || !process.argv[i + 1] || files.length === 0) {
    console.error('Usage: node scripts/sign.mjs --sign-key PRIVATE.pem FILE...');
    process.exit(2);
  }
  try {
    const key = loadSigningKey(process.argv[i + 1]);
    signFiles(key, files);
    console.error(
      `Signed ${files.length} file(s) with key ${fingerprint(key)}: ${files.map((f) => `${f}.sig`).join(', ')}`,
    );
  } catch (err) {
    console.error(`Cannot sign: ${err.message}`);
    process.exit(1);
  }
}
