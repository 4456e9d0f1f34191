// Release manifests (dist/manifest.json, written by scripts/release.mjs) and what the updater can tell
// about any bundle: its hash, its version, and whether the manifest next to it really describes it.
import { isPlainObject } from '../jsonrpc/message.ts';
import { readIfExists, sha256Hex } from './files.ts';
import type { ToolHash } from './surface.ts';

export type Manifest = {
  readonly version: string;
  readonly sha256: string;
  readonly commit: string | null;
  readonly tools: readonly ToolHash[];
  readonly testedOn: readonly string[];
};

export type ManifestState = 'ok' | 'missing' | 'mismatch' | 'invalid';

export type FileInfo = {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly version: string | null;
  readonly manifest: ManifestState;
  readonly commit: string | null;
  readonly testedOn: readonly string[];
};

const HEX64 = /^[0-9a-f]{64}$/;

/** Validates the fields the updater relies on; other fields are informative and passed over. */
export function parseManifest(text: string): Manifest | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(v)) return null;
  const { version, sha256, commit, tools, testedOn } = v;
  if (typeof version !== 'string' || version.length > 64) return null;
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) return null;
  const commitOk = commit === null || commit === undefined ||
    (typeof commit === 'string' && /^[0-9a-f]{7,64}$/.test(commit));
  if (!commitOk) return null;
  if (!Array.isArray(tools)) return null;
  const hashes: ToolHash[] = [];
  for (const t of tools) {
    if (!isPlainObject(t) || typeof t['name'] !== 'string' || typeof t['sha256'] !== 'string') return null;
    if (!HEX64.test(t['sha256'])) return null;
    hashes.push({ name: t['name'], sha256: t['sha256'] });
  }
  const runtimes = Array.isArray(testedOn) ? testedOn.filter((r): r is string => typeof r === 'string') : [];
  return { version, sha256, commit: typeof commit === 'string' ? commit : null, tools: hashes, testedOn: runtimes };
}

/** The version literal esbuild inlines into the bundle; a fallback when no manifest describes the file. */
export function versionInBundle(text: string): string | null {
  const m = /\bSERVER_VERSION = (?:true \? )?"([^"\\\n]{1,64})"/.exec(text);
  return m ? (m[1] as string) : null;
}

export function readManifest(path: string, sha256: string): { state: ManifestState; manifest: Manifest | null } {
  const bytes = readIfExists(path, 'the manifest');
  if (bytes === null) return { state: 'missing', manifest: null };
  const manifest = parseManifest(new TextDecoder().decode(bytes));
  if (manifest === null) return { state: 'invalid', manifest: null };
  return manifest.sha256 === sha256 ? { state: 'ok', manifest } : { state: 'mismatch', manifest: null };
}

/** Hash, version and manifest state of a bundle, or null when there is no file at `path`. */
export function describeFile(path: string, manifestPath: string): FileInfo | null {
  const bytes = readIfExists(path, path);
  if (bytes === null) return null;
  const sha256 = sha256Hex(bytes);
  const { state, manifest } = readManifest(manifestPath, sha256);
  return {
    path,
    sha256,
    bytes: bytes.length,
    version: manifest?.version ?? versionInBundle(new TextDecoder().decode(bytes)),
    manifest: state,
    commit: manifest?.commit ?? null,
    testedOn: manifest?.testedOn ?? [],
  };
}
