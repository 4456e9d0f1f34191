// `stage`: copies a candidate into DIR/staging/ only if it is authentic: signed by the release key the
// operator pinned for this install folder (NEW.sig beside it, or --sig), or, when the operator says
// --allow-unsigned (recorded), at least the SHA-256 they expect. The bytes written are the bytes checked,
// and a refusal also clears any earlier staged file, so a later switch cannot pick up something unintended.
import { basename, dirname, join } from 'node:path';
import type { CommandStatus, UpdateContext } from './context.ts';
import { readIfExists, readRequired, removeFile, sha256Hex, UpdateError, writeAtomic } from './files.ts';
import { MANIFEST_NAME } from './layout.ts';
import { describeFile, parseManifest, versionInBundle } from './manifest.ts';
import { compareVersions } from './version_order.ts';
import { ensureOwnedDir } from './ownership.ts';
import { shellQuote } from '../cli/launch.ts';
import { parsePublicKey, readPublicKey, readSignature, signatureValid, type TrustedKey } from './signature.ts';

export type StageRequest = {
  readonly file: string; readonly sha256: string | null; readonly sha256File: string | null;
  readonly manifest: string | null; readonly sig: string | null; readonly trustKey: string | null;
  readonly allowUnsigned: boolean; readonly allowDowngrade: boolean;
};

/** The hash a `sha256sum` file gives for `name`: only an entry naming that file counts, never the first line. */
export function sha256For(text: string, name: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-fA-F]{64}) [ *](.+?)\s*$/.exec(line);
    if (m !== null && basename(m[2] as string) === name) return (m[1] as string).toLowerCase();
  }
  return null;
}

function expectedHash(req: StageRequest): string | null {
  if (req.sha256 !== null || req.sha256File === null) return req.sha256;
  const sums = new TextDecoder().decode(readRequired(req.sha256File, 'the --sha256-file'));
  const hash = sha256For(sums, basename(req.file));
  if (hash === null) {
    throw new UpdateError(`Cannot stage: the --sha256-file has no entry for ${JSON.stringify(basename(req.file))} ` +
      '(lines "<64 hex digits>  <file name>")');
  }
  return hash;
}

/** The pinned key, or the --trust-key offered at first install (pinned only once the release verifies). */
function keyFor(ctx: UpdateContext, req: StageRequest): { key: TrustedKey | null; pinNow: boolean } {
  const pinned = readPublicKey(ctx.layout.trustedKey, 'the pinned release key (trusted-key.pem)');
  if (req.trustKey === null) return { key: pinned, pinNow: false };
  const offered = parsePublicKey(readRequired(req.trustKey, 'the --trust-key file'), 'the --trust-key file');
  if (pinned === null) return { key: offered, pinNow: true };
  if (pinned.fingerprint === offered.fingerprint) return { key: pinned, pinNow: false };
  throw new UpdateError(`Cannot stage: --trust-key ${offered.fingerprint} is not the key pinned for this install ` +
    `folder (${pinned.fingerprint}); changing it is its own recorded step: trust-key FILE --install DIR`);
}

function clearStaging(ctx: UpdateContext): void {
  const { verified, downgradeAllowed, staged, stagedManifest } = ctx.layout;
  for (const f of [verified, downgradeAllowed, staged, stagedManifest]) removeFile(f);
}

export function stage(ctx: UpdateContext, req: StageRequest): CommandStatus {
  try {
    return stageChecked(ctx, req);
  } catch (err) {
    clearStaging(ctx); // a refusal of any kind leaves nothing staged for a later switch to pick up
    throw err;
  }
}

function stageChecked(ctx: UpdateContext, req: StageRequest): CommandStatus {
  const { layout, trail, out } = ctx;
  const expected = expectedHash(req);
  const { key, pinNow } = keyFor(ctx, req);
  const bytes = readRequired(req.file, 'the candidate');
  const actual = sha256Hex(bytes);
  const refuse = (step: string, why: string, detail: Record<string, unknown>): CommandStatus => {
    clearStaging(ctx);
    trail.record('stage', step, 'refused', { reason: why, file: req.file, ...detail });
    out(`Refused: ${why}`);
    out('Nothing was staged; the live file is unchanged.');
    return 1;
  };
  const sig = readSignature(req.file, req.sig);
  let signedBy: string | null = null;
  if (key !== null && sig !== null) {
    if (!signatureValid(bytes, sig.text, key)) {
      const why = `${sig.path} is not a valid signature of the candidate by the pinned release key ` +
        `${key.fingerprint} (another key signed it, or the file or the signature was altered)`;
      return refuse('signature', why, { key: key.fingerprint });
    }
    signedBy = key.fingerprint;
  } else if (!req.allowUnsigned) {
    const why = key === null
      ? 'no release key is pinned for this install folder: pass --trust-key FILE (the project\'s published public key)'
      : `the candidate is unsigned (no ${basename(req.file)}.sig beside it, no --sig)`;
    const anyway = '--allow-unsigned stages it anyway, and the update trail records that';
    return refuse('signature', `${why}; ${anyway}`, { key: key?.fingerprint ?? null });
  }
  if (pinNow && signedBy === null) {
    return refuse('signature', '--trust-key is pinned only together with a release whose signature it verifies, and ' +
      'this candidate is unsigned (--allow-unsigned does not pin a key); pin it with a signed release, or with: ' +
      'trust-key FILE --install DIR', {});
  }
  if (signedBy === null && expected === null) {
    const why = 'an unsigned candidate needs --sha256 HEX or --sha256-file FILE: nothing else would vouch for its ' +
      'bytes';
    return refuse('checksum', why, {});
  }
  if (expected !== null && actual !== expected) {
    const why = `the candidate's SHA-256 is ${actual}, not the expected ${expected} ` +
      '(corrupted, truncated or another file)';
    return refuse('checksum', why, { expected, actual });
  }
  const manifestBytes = stagedManifest(ctx, req, actual, key, signedBy !== null);
  if (typeof manifestBytes === 'string') return refuse('manifest', manifestBytes, { actual });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const version = manifestBytes !== null ? parseManifest(text(manifestBytes))?.version : versionInBundle(text(bytes));
  const live = describeFile(layout.live, layout.liveManifest)?.version ?? null;
  // An authentic old release is still old: replaying one would bring back what a later release fixed.
  if (version != null && live !== null && compareVersions(version, live) < 0) {
    if (!req.allowDowngrade) {
      const why = `the candidate is version ${version}, older than the live ${live}; ` +
        '--allow-downgrade stages it anyway, and the update trail records that';
      return refuse('downgrade', why, { version, live });
    }
    trail.record('stage', 'downgrade', 'info', { allowed: true, version, live });
    out(`Note: downgrading from ${live} to ${version} (--allow-downgrade)`);
  }
  if (pinNow && key !== null) {
    writeAtomic(layout.trustedKey, key.pem, 0o644);
    trail.record('trust-key', 'pinned', 'ok', { fingerprint: key.fingerprint, via: 'stage --trust-key (first key)' });
    out(`Pinned release key ${key.fingerprint} for this install folder`);
  }
  if (signedBy !== null) trail.record('stage', 'signature', 'ok', { key: signedBy, sig: sig?.path ?? null });
  else {
    const reason = key === null ? 'no key pinned' : 'no signature';
    trail.record('stage', 'signature', 'info', { unsignedAllowed: true, reason });
  }
  ensureOwnedDir(layout.stagingDir, 'staging/');
  clearStaging(ctx);
  writeAtomic(layout.staged, bytes, 0o600);
  if (manifestBytes !== null) writeAtomic(layout.stagedManifest, manifestBytes, 0o600);
  // For switch, which checks the order again: the live file may be newer by then (a hand copy, a rollback undone).
  if (req.allowDowngrade) {
    writeAtomic(layout.downgradeAllowed, new TextEncoder().encode(`{"sha256":"${actual}"}\n`), 0o600);
    trail.record('stage', 'allow_downgrade', 'info', { sha256: actual });
  }
  const manifest = manifestBytes !== null;
  trail.record('stage', 'staged', 'ok', {
    file: req.file, sha256: actual, bytes: bytes.length, version: version ?? null, manifest, signedBy,
  });
  const signer = signedBy !== null ? `signed by ${signedBy}` : 'UNSIGNED (--allow-unsigned)';
  const withManifest = manifest ? ' with its manifest' : ' (no manifest)';
  out(`Staged ${version ?? '(unknown version)'} sha256 ${actual}${withManifest}, ${signer}`);
  out(`Next: verify --install ${shellQuote(layout.dir)} --config <the config your client uses>`);
  return 0;
}

/**
 * The manifest to stage with the candidate: only one that describes exactly these bytes and, for a signed
 * release, carries a valid signature too. A string is the reason to refuse an explicit --manifest.
 */
function stagedManifest(
  ctx: UpdateContext, req: StageRequest, actual: string, key: TrustedKey | null, signed: boolean,
): Uint8Array | null | string {
  const path = req.manifest ?? join(dirname(req.file), MANIFEST_NAME);
  const bytes = req.manifest !== null ? readRequired(path, 'the --manifest')
    : readIfExists(path, 'the manifest next to the candidate');
  if (bytes === null) return null;
  const m = parseManifest(new TextDecoder().decode(bytes));
  const sig = signed && key !== null ? readSignature(path, null) : null;
  const problem = m === null ? 'is not a valid release manifest'
    : m.sha256 !== actual ? `describes another file (${m.sha256.slice(0, 16)}…)`
      : signed && (sig === null || key === null || !signatureValid(bytes, sig.text, key))
      ? 'has no valid signature by the pinned key'
      : null;
  if (problem === null) return bytes;
  if (req.manifest !== null) return `the --manifest ${problem}`;
  ctx.out(`Note: ${path} ${problem}; staging without a manifest`);
  return null;
}
