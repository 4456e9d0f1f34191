// Where the updater keeps things inside an install folder. One table, so stage, verify, switch,
// rollback and status can never disagree about which file is live, staged or previous.
import { basename, dirname, join } from 'node:path';

export const BUNDLE_NAME = 'docwarden.js';
export const MANIFEST_NAME = 'manifest.json';

export type Layout = {
  readonly dir: string;
  /** The file the MCP client runs; always a complete file (only ever replaced by rename). */
  readonly live: string;
  readonly liveManifest: string;
  readonly stagingDir: string;
  readonly staged: string;
  readonly stagedManifest: string;
  /** Written by a passing verify: the staged hash, the live hash it was compared with, the surface. */
  readonly verified: string;
  /** Written by stage --allow-downgrade: the staged hash, which switch may then put over a newer live file. */
  readonly downgradeAllowed: string;
  readonly previousDir: string;
  readonly previous: string;
  readonly previousManifest: string;
  /** The SHA-256 of the previous file, written when it was kept: rollback restores only that file. */
  readonly previousRecord: string;
  readonly audit: string;
  readonly lock: string;
  /** The release public key pinned for this folder (PEM SPKI, Ed25519): stage checks signatures with it. */
  readonly trustedKey: string;
};

export function layoutOf(dir: string): Layout {
  const stagingDir = join(dir, 'staging');
  const previousDir = join(dir, 'previous');
  return {
    dir,
    live: join(dir, BUNDLE_NAME),
    liveManifest: join(dir, MANIFEST_NAME),
    stagingDir,
    staged: join(stagingDir, BUNDLE_NAME),
    stagedManifest: join(stagingDir, MANIFEST_NAME),
    verified: join(stagingDir, 'verified.json'),
    downgradeAllowed: join(stagingDir, 'allow-downgrade.json'),
    previousDir,
    previous: join(previousDir, BUNDLE_NAME),
    previousManifest: join(previousDir, MANIFEST_NAME),
    previousRecord: join(previousDir, 'kept.json'),
    audit: join(dir, 'update-audit.jsonl'),
    lock: join(dir, '.update.lock'),
    trustedKey: join(dir, 'trusted-key.pem'),
  };
}

/** The temporary name a file is written under before the rename that publishes it. */
export function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp`);
}

/** Temporary files an interrupted step may leave behind (harmless: the next step replaces them). */
export function leftoverCandidates(l: Layout): string[] {
  const staging = [l.staged, l.stagedManifest, l.verified, l.downgradeAllowed];
  const previous = [l.previous, l.previousManifest, l.previousRecord];
  return [l.live, l.liveManifest, ...staging, ...previous, l.trustedKey].map(tempNameFor);
}
