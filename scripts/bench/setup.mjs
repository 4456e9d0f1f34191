// Benchmark setup: corpora unpacked into a temp folder, the reference server installed (and cached)
// outside the repo, docwarden's bundle built when missing, and launchers for both servers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RpcClient } from './rpc.mjs';

export const REF_PACKAGE = '@modelcontextprotocol/server-filesystem';
export const REF_VERSION = '2026.8.31';

export function makeTempDir() {
  return mkdtempSync(join(tmpdir(), 'docwarden-bench-'));
}

/** Unpacks linux-docs and node-api from `corporaDir` into `into`; returns their folders. */
export function unpackCorpora(corporaDir, into) {
  const out = {};
  for (const name of ['linux-docs', 'node-api']) {
    const archive = join(corporaDir, `${name}.tar.gz`);
    if (!existsSync(archive)) throw new Error(`Cannot unpack corpora: ${archive} not found (set DOCWARDEN_CORPORA)`);
    const r = spawnSync('tar', ['-xzf', archive, '-C', into], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`Cannot unpack corpora: tar failed on ${archive}: ${String(r.stderr).trim()}`);
    const dir = join(into, name);
    if (!existsSync(dir)) throw new Error(`Cannot unpack corpora: ${archive} has no top folder ${name}/`);
    out[name] = dir;
  }
  return out;
}

/**
 * Installs the reference server under os.tmpdir()/docwarden-bench-ref (reused when the right version is
 * already there). Returns { entry, cached } or { error } when npm is unavailable or offline.
 */
export function ensureReference(log) {
  const prefix = join(tmpdir(), 'docwarden-bench-ref');
  const pkgDir = join(prefix, 'node_modules', ...REF_PACKAGE.split('/'));
  const entry = join(pkgDir, 'dist', 'index.js');
  const installedVersion = () => {
    try {
      return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  if (existsSync(entry) && installedVersion() === REF_VERSION) return { entry, cached: true, prefix };
  mkdirSync(prefix, { recursive: true });
  log(`installing ${REF_PACKAGE}@${REF_VERSION} into ${prefix} …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    ['install', '--prefix', prefix, '--no-audit', '--no-fund', `${REF_PACKAGE}@${REF_VERSION}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
    },
  );
  if (r.status !== 0 || !existsSync(entry)) {
    return {
      error: `npm install failed (${r.status ?? r.error?.message}): ${String(r.stderr ?? '').trim().slice(-300)}`,
    };
  }
  return { entry, cached: false, prefix };
}

/** Builds dist/docwarden.js when it is missing; returns its path. */
export function ensureBundle(repoRoot, log) {
  const bundle = join(repoRoot, 'dist', 'docwarden.js');
  if (!existsSync(bundle)) {
    log('dist/docwarden.js missing: building …');
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (r.status !== 0 || !existsSync(bundle)) throw new Error('Cannot build: scripts/build.mjs failed');
  }
  return bundle;
}

/**
 * Launchers. docwarden runs exactly as a user would start it (`--root DIR --log FILE`, built-in
 * production defaults); `extraArgs` lets one figure add a config (e.g. without the rate limit).
 */
export function makeLaunchers({ bundle, refEntry, tmp }) {
  const audit = join(tmp, 'audit.jsonl');
  return {
    docwarden: (root, extraArgs = []) =>
      new RpcClient(process.execPath, [bundle, ...extraArgs, '--root', root, '--log', audit], { cwd: tmp }),
    reference: refEntry ? (dir) => new RpcClient(process.execPath, [refEntry, dir], { cwd: tmp }) : null,
  };
}

/** A config file for docwarden with the per-tool rate limit off (roots come from --root). */
export function writeUnlimitedConfig(tmp, root) {
  const file = join(tmp, 'bench-unlimited.json');
  writeFileSync(
    file,
    JSON.stringify({ roots: [{ name: 'bench', path: root }], limits: { callsPerMinute: 0 } }, null, 2),
  );
  return file;
}

/** Copies `src` into `dst` with `cp -r` (real files: docwarden refuses hard links by default). */
export function copyTree(src, dst) {
  const r = spawnSync('cp', ['-r', src, dst], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`Cannot copy ${src} to ${dst}: ${String(r.stderr).trim()}`);
}

export function removeTree(dir) {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

export function corporaDirFrom(scriptDir) {
  return process.env.DOCWARDEN_CORPORA
    ? resolve(process.env.DOCWARDEN_CORPORA)
    : resolve(scriptDir, '..', '..', 'shared', 'corpora');
}
