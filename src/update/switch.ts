// `switch` and `rollback`: replace DIR/docwarden.js in steps ordered so that the live path is always a
// complete file. The old file is copied to DIR/previous/ before anything else; the new bytes are
// written to a temporary sibling and fsynced; only then one rename publishes them. A crash between
// any two steps leaves the old file or the new one, never a mix, and the next command still works.
import { shellQuote } from '../cli/launch.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import type { CommandStatus, UpdateContext } from './context.ts';
import {
  commitTemp, modeOf, readFileIfExists, readIfExists, readRequired, removeFile, sha256Hex, UpdateError, writeAtomic,
  writeTemp, type FileIdentity,
} from './files.ts';
import { parseManifest, versionInBundle } from './manifest.ts';
import { ensureOwnedDir } from './ownership.ts';
import { compareVersions } from './version_order.ts';

/** The manifest bytes at `path` when they describe the file with hash `sha256`, else null. */
function manifestFor(path: string, sha256: string): Uint8Array | null {
  const bytes = readIfExists(path, 'a manifest');
  if (bytes === null) return null;
  return parseManifest(new TextDecoder().decode(bytes))?.sha256 === sha256 ? bytes : null;
}

type Verdict = { readonly sha256: string; readonly liveSha256: string | null; readonly identity: FileIdentity | null };

function jsonAt(path: string, what: string): Record<string, unknown> | null {
  const bytes = readIfExists(path, what);
  if (bytes === null) return null;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isPlainObject(v) ? v : null;
  } catch {
    return null;
  }
}

function readVerdict(path: string): Verdict | null {
  const v = jsonAt(path, 'the verify record');
  if (v === null || typeof v['sha256'] !== 'string') return null;
  const id = v['identity'];
  const numbers = isPlainObject(id) && ['dev', 'ino', 'size', 'mtimeMs'].every((k) => typeof id[k] === 'number');
  const identity = numbers ? (id as FileIdentity) : null;
  return { sha256: v['sha256'], liveSha256: typeof v['liveSha256'] === 'string' ? v['liveSha256'] : null, identity };
}

const sameFile = (a: FileIdentity, b: FileIdentity | null): boolean =>
  b !== null && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** A release's version: its manifest's when one describes it, else the literal inlined in the bundle. */
function versionOf(bytes: Uint8Array, manifest: Uint8Array | null): string | null {
  const fromManifest = manifest === null ? null : parseManifest(new TextDecoder().decode(manifest))?.version;
  return fromManifest ?? versionInBundle(new TextDecoder().decode(bytes));
}

function label(bytes: Uint8Array, sha: string): string {
  return `${versionInBundle(new TextDecoder().decode(bytes)) ?? '(unknown version)'} (${sha.slice(0, 16)}…)`;
}

/** Publishes `bytes` at the live path: temporary sibling, fsync, hash check, rename. */
function replaceLive(ctx: UpdateContext, command: string, bytes: Uint8Array, manifest: Uint8Array | null): void {
  const { layout, trail, afterStep } = ctx;
  const mode = modeOf(layout.live) ?? 0o644;
  const tmp = writeTemp(layout.live, bytes, mode);
  trail.record(command, 'write_temp', 'ok', { temp: tmp, sha256: sha256Hex(bytes) });
  afterStep('write_temp');
  commitTemp(tmp, layout.live);
  trail.record(command, 'rename', 'ok', { live: layout.live });
  afterStep('rename');
  if (manifest !== null) writeAtomic(layout.liveManifest, manifest, 0o644);
  else removeFile(layout.liveManifest);
  trail.record(command, 'manifest', 'ok', { manifest: manifest !== null });
  afterStep('manifest');
  const now = readRequired(layout.live, 'the live file');
  if (sha256Hex(now) !== sha256Hex(bytes)) {
    throw new UpdateError(`Cannot ${command}: the live file does not read back as written`);
  }
}

export function switchLive(ctx: UpdateContext): CommandStatus {
  const { layout, trail, out, afterStep } = ctx;
  const refuse = (why: string): CommandStatus => {
    trail.record('switch', 'check', 'refused', { reason: why });
    out(`Refused: ${why}`);
    out('Nothing was switched; the live file is unchanged.');
    return 1;
  };
  const stagedRead = readFileIfExists(layout.staged, 'the staged file');
  if (stagedRead === null) return refuse('nothing is staged (run stage, then verify)');
  const staged = stagedRead.bytes;
  const stagedSha = sha256Hex(staged); // hashed again now: verify's verdict is for exactly these bytes
  const verdict = readVerdict(layout.verified);
  if (verdict === null || verdict.sha256 !== stagedSha) return refuse(`the staged file has not passed verify (run ` +
    `verify --install ${shellQuote(layout.dir)} --config FILE)`);
  if (!sameFile(stagedRead.identity, verdict.identity)) return refuse('the staged file was replaced or rewritten ' +
    'since verify (same bytes or not); run verify again');
  const live = readIfExists(layout.live, 'the live file');
  const liveSha = live === null ? null : sha256Hex(live);
  if (verdict.liveSha256 !== liveSha) return refuse('the live file changed since verify compared against it; run ' +
    'verify again');
  if (liveSha === stagedSha) return refuse('the staged file is already live');
  // Stage compared versions with the live file of then; the live file may have moved on since.
  const to = versionOf(staged, manifestFor(layout.stagedManifest, stagedSha));
  const from = live === null || liveSha === null ? null : versionOf(live, manifestFor(layout.liveManifest, liveSha));
  if (to !== null && from !== null && compareVersions(to, from) < 0) {
    if (jsonAt(layout.downgradeAllowed, 'the downgrade allowance')?.['sha256'] !== stagedSha) {
      const again = 'to switch to it anyway, stage it again with --allow-downgrade';
      return refuse(`the staged file is version ${to}, older than the live ${from}; ${again}`);
    }
    trail.record('switch', 'downgrade', 'info', { allowed: true, version: to, live: from });
    out(`Note: downgrading from ${from} to ${to} (--allow-downgrade at stage)`);
  }
  trail.record('switch', 'check', 'ok', { staged: stagedSha, live: liveSha });
  afterStep('check');

  if (live !== null && liveSha !== null) {
    // Before the rename, so that from the moment the new file is live the old one is kept.
    ensureOwnedDir(layout.previousDir, 'previous/');
    removeFile(layout.previousManifest);
    // The record first: a previous file without a matching record is refused by rollback, never trusted.
    writeAtomic(layout.previousRecord, new TextEncoder().encode(`${JSON.stringify({ sha256: liveSha })}\n`), 0o600);
    writeAtomic(layout.previous, live, modeOf(layout.live) ?? 0o644);
    const liveManifest = manifestFor(layout.liveManifest, liveSha);
    if (liveManifest !== null) writeAtomic(layout.previousManifest, liveManifest, 0o644);
    trail.record('switch', 'keep_previous', 'ok', { sha256: liveSha, manifest: liveManifest !== null });
    afterStep('keep_previous');
  }
  replaceLive(ctx, 'switch', staged, manifestFor(layout.stagedManifest, stagedSha));
  for (const f of [layout.verified, layout.downgradeAllowed, layout.stagedManifest, layout.staged]) removeFile(f);
  trail.record('switch', 'cleanup', 'ok', {});
  afterStep('cleanup');
  trail.record('switch', 'end', 'ok', { from: liveSha, to: stagedSha });
  const kept = live !== null && liveSha !== null ? `; previous ${label(live, liveSha)} kept in ${layout.previousDir}`
    : '';
  out(`Switched: ${layout.live} is now ${label(staged, stagedSha)}${kept}`);
  out('Clients pick it up the next time they start the server (restart the client or reconnect the server).');
  return 0;
}

export function rollback(ctx: UpdateContext): CommandStatus {
  const { layout, trail, out, afterStep } = ctx;
  const previous = readIfExists(layout.previous, 'the previous file');
  if (previous === null) {
    trail.record('rollback', 'check', 'refused', { reason: 'no previous file' });
    out(`Refused: there is no previous version in ${layout.previousDir} (nothing was switched yet); the live file is ` +
      `unchanged.`);
    return 1;
  }
  const previousSha = sha256Hex(previous);
  const kept = jsonAt(layout.previousRecord, 'the record of the previous file')?.['sha256'];
  if (kept !== previousSha) {
    const why = typeof kept === 'string' ? `it is not the file that was kept (recorded ${kept}, found ${previousSha})`
      : 'there is no record of the hash it was kept with';
    const recorded = typeof kept === 'string' ? kept : null;
    trail.record('rollback', 'check', 'refused', { reason: why, found: previousSha, recorded });
    out(`Refused: ${layout.previous}: ${why}; the live file is unchanged.`);
    return 1;
  }
  const live = readIfExists(layout.live, 'the live file');
  const liveSha = live === null ? null : sha256Hex(live);
  if (liveSha === previousSha) {
    trail.record('rollback', 'check', 'info', { reason: 'already live', sha256: previousSha });
    out(`Nothing to do: the live file already is the previous version ${label(previous, previousSha)}.`);
    return 0;
  }
  trail.record('rollback', 'check', 'ok', { from: liveSha, to: previousSha });
  afterStep('check');
  replaceLive(ctx, 'rollback', previous, manifestFor(layout.previousManifest, previousSha));
  trail.record('rollback', 'end', 'ok', { from: liveSha, to: previousSha });
  out(`Rolled back: ${layout.live} is again ${label(previous, previousSha)}, byte for byte.`);
  return 0;
}
