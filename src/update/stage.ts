// `stage`: copies a candidate into DIR/staging/ only if its SHA-256 is the one the operator expects
// (typed, or read from the release's .sha256 file). The bytes written are the bytes hashed, and a
// refusal also clears any earlier staged file, so a later switch cannot pick up something unintended.
import { dirname, join } from 'node:path';
import type { CommandStatus, UpdateContext } from './context.ts';
import { readIfExists, readRequired, removeFile, sha256Hex, UpdateError, writeAtomic } from './files.ts';
import { MANIFEST_NAME } from './layout.ts';
import { parseManifest, versionInBundle } from './manifest.ts';
import { ensureOwnedDir } from './ownership.ts';

export type StageRequest = { readonly file: string; readonly sha256: string | null; readonly sha256File: string | null; readonly manifest: string | null };

/** The hash at the start of a `sha256sum`-style line: "<64 hex>  docwarden.js". */
export function parseSha256File(text: string): string | null {
  const m = /^\s*([0-9a-fA-F]{64})(?:\s|$)/.exec(text);
  return m ? (m[1] as string).toLowerCase() : null;
}

function expectedHash(req: StageRequest): string {
  if (req.sha256 !== null) return req.sha256;
  const text = new TextDecoder().decode(readRequired(req.sha256File as string, 'the --sha256-file'));
  const hash = parseSha256File(text);
  if (hash === null) throw new UpdateError('Cannot stage: the --sha256-file does not start with a SHA-256 (64 hexadecimal digits)');
  return hash;
}

function clearStaging(ctx: UpdateContext): void {
  for (const f of [ctx.layout.verified, ctx.layout.staged, ctx.layout.stagedManifest]) removeFile(f);
}

export function stage(ctx: UpdateContext, req: StageRequest): CommandStatus {
  const { layout, trail, out } = ctx;
  const expected = expectedHash(req);
  const bytes = readRequired(req.file, 'the candidate');
  const actual = sha256Hex(bytes);
  const refuse = (why: string, detail: Record<string, unknown>): CommandStatus => {
    clearStaging(ctx);
    trail.record('stage', 'checksum', 'refused', { reason: why, file: req.file, ...detail });
    out(`Refused: ${why}`);
    out('Nothing was staged; the live file is unchanged.');
    return 1;
  };
  if (actual !== expected) {
    return refuse(`the candidate's SHA-256 is ${actual}, not the expected ${expected} (corrupted, truncated or another file)`, { expected, actual });
  }
  let manifestBytes: Uint8Array | null = null;
  const manifestPath = req.manifest ?? join(dirname(req.file), MANIFEST_NAME);
  const candidate = req.manifest !== null ? readRequired(manifestPath, 'the --manifest') : readIfExists(manifestPath, 'the manifest next to the candidate');
  if (candidate !== null) {
    const m = parseManifest(new TextDecoder().decode(candidate));
    if (req.manifest !== null && m === null) return refuse('the --manifest is not a valid release manifest', { manifest: manifestPath });
    if (req.manifest !== null && m !== null && m.sha256 !== actual) return refuse(`the --manifest describes another file (${m.sha256.slice(0, 16)}…)`, { manifest: manifestPath, actual });
    // A manifest found next to the candidate is taken only when it describes exactly these bytes.
    if (m !== null && m.sha256 === actual) manifestBytes = candidate;
    else out(`Note: ${manifestPath} does not describe this candidate; staging without a manifest`);
  }
  ensureOwnedDir(layout.stagingDir, 'staging/');
  clearStaging(ctx);
  writeAtomic(layout.staged, bytes, 0o600);
  if (manifestBytes !== null) writeAtomic(layout.stagedManifest, manifestBytes, 0o600);
  const version = manifestBytes !== null ? parseManifest(new TextDecoder().decode(manifestBytes))?.version : versionInBundle(new TextDecoder().decode(bytes));
  trail.record('stage', 'staged', 'ok', { file: req.file, sha256: actual, bytes: bytes.length, version: version ?? null, manifest: manifestBytes !== null });
  out(`Staged ${version ?? '(unknown version)'} sha256 ${actual}${manifestBytes !== null ? ' with its manifest' : ' (no manifest)'}`);
  out(`Next: verify --install ${layout.dir} --config <the config your client uses>`);
  return 0;
}
