// `status`: what is live, staged and kept as previous, each with its SHA-256 and version, whether its
// manifest describes it, and any temporary file an interrupted step left. Reads only; runs nothing.
import { shellQuote } from '../cli/launch.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import type { CommandStatus, UpdateContext } from './context.ts';
import { exists, readIfExists, UpdateError } from './files.ts';
import { leftoverCandidates, type Layout } from './layout.ts';
import { describeFile, type FileInfo } from './manifest.ts';
import { readPublicKey } from './signature.ts';

export type StatusReport = {
  readonly dir: string;
  readonly live: FileInfo | null;
  readonly staged: (FileInfo & { readonly verified: boolean }) | null;
  readonly previous: FileInfo | null;
  readonly leftovers: readonly string[];
  readonly locked: boolean;
  /** Fingerprint of the pinned release key, or null when none is pinned. */
  readonly trustedKey: string | null;
};

function verifiedSha(path: string): string | null {
  try {
    const bytes = readIfExists(path, 'the verify record');
    if (bytes === null) return null;
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isPlainObject(v) && typeof v['sha256'] === 'string' ? v['sha256'] : null;
  } catch (err) {
    if (err instanceof UpdateError) throw err;
    return null;
  }
}

export function statusReport(l: Layout): StatusReport {
  const staged = describeFile(l.staged, l.stagedManifest);
  return {
    dir: l.dir,
    live: describeFile(l.live, l.liveManifest),
    staged: staged === null ? null : { ...staged, verified: verifiedSha(l.verified) === staged.sha256 },
    previous: describeFile(l.previous, l.previousManifest),
    leftovers: leftoverCandidates(l).filter(exists),
    locked: exists(l.lock),
    trustedKey: readPublicKey(l.trustedKey, 'the pinned release key')?.fingerprint ?? null,
  };
}

function line(name: string, f: FileInfo | null, extra = ''): string {
  if (f === null) return `${name.padEnd(9)}(none)`;
  const commit = f.commit ? `, commit ${f.commit.slice(0, 12)}` : '';
  const tested = f.testedOn.length > 0 ? `, tested on ${f.testedOn.join(', ')}` : '';
  const manifest = f.manifest === 'ok' ? `manifest ok${commit}${tested}` : f.manifest === 'missing' ? 'no manifest'
    : `manifest ${f.manifest === 'invalid' ? 'invalid' : 'does not match this file'}`;
  return `${name.padEnd(9)}${f.version ?? '(unknown version)'}  sha256 ${f.sha256}  ${f.bytes} bytes  ` +
    `${manifest}${extra}`;
}

export function status(ctx: UpdateContext, json: boolean): CommandStatus {
  const r = statusReport(ctx.layout);
  if (json) {
    for (const l of JSON.stringify(r, null, 2).split('\n')) ctx.out(l); // JSON escapes its own line breaks
    return 0;
  }
  ctx.out(`install  ${r.dir}`);
  ctx.out(line('live', r.live));
  ctx.out(line('staged', r.staged, r.staged === null ? '' : r.staged.verified ? '  verified' : '  NOT verified'));
  ctx.out(line('previous', r.previous));
  ctx.out(`key      ${r.trustedKey ?? '(none pinned: stage --trust-key FILE pins the release key)'}`);
  for (const f of r.leftovers) ctx.out(`leftover ${f} (from an interrupted step; harmless, replaced by the next one)`);
  if (r.locked) ctx.out(`lock     ${shellQuote(ctx.layout.lock)} (an updater is running, or was killed; the next ` +
    `command takes over a dead one's lock)`);
  return 0;
}
