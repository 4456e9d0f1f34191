// Authentic releases: Ed25519 signatures (node:crypto, no dependency) over a release file's bytes,
// checked against the public key the operator pinned in the install folder (DIR/trusted-key.pem).
// A checksum proves only that a file is the one the checksum was made for; the signature says who made it.
import { createPublicKey, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { basename } from 'node:path';
import { readIfExists, sha256Hex, UpdateError } from './files.ts';

/** An Ed25519 signature is 64 bytes: 88 base64 characters ending in "==". */
const SIG_BASE64 = /^([A-Za-z0-9+/]{86}==)\s*$/;

export type TrustedKey = { readonly key: KeyObject; readonly pem: Uint8Array; readonly fingerprint: string };

/** Parses a PEM SPKI public key and insists on Ed25519 (any other algorithm is refused by name). */
export function parsePublicKey(pem: Uint8Array, what: string): TrustedKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(pem), format: 'pem' });
  } catch {
    throw new UpdateError(`Cannot use ${what}: not a PEM public key (-----BEGIN PUBLIC KEY-----)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UpdateError(`Cannot use ${what}: an ` +
    `${key.asymmetricKeyType ?? 'unknown'} key; release keys are Ed25519`);
  return { key, pem, fingerprint: `SHA256:${sha256Hex(key.export({ type: 'spki', format: 'der' }))}` };
}

export function readPublicKey(path: string, what: string): TrustedKey | null {
  const pem = readIfExists(path, what);
  return pem === null ? null : parsePublicKey(pem, what);
}

/** True when `sigText` is one base64 Ed25519 signature of `bytes` by `key`; malformed text is false. */
export function signatureValid(bytes: Uint8Array, sigText: string, key: TrustedKey): boolean {
  const m = SIG_BASE64.exec(sigText);
  if (m === null) return false;
  try {
    return verifyBytes(null, bytes, key.key, Buffer.from(m[1] as string, 'base64'));
  } catch {
    return false;
  }
}

/** The signature file for `file`: the one named, or `<file>.sig` beside it; null when there is none. */
export function readSignature(file: string, sigPath: string | null): { path: string; text: string } | null {
  const path = sigPath ?? `${file}.sig`;
  const bytes = sigPath !== null ? readIfExists(path, 'the --sig file') : readIfExists(path, `${basename(file)}.sig`);
  if (bytes === null) {
    if (sigPath !== null) throw new UpdateError(`Cannot read the --sig file ${JSON.stringify(path)}: it does not ` +
      `exist`);
    return null;
  }
  return { path, text: new TextDecoder().decode(bytes.subarray(0, 1024)) };
}
