// `npm run release [-- --tested-on node20,deno]`: builds the bundles and writes the release artifact,
// dist/docwarden.js + dist/docwarden.js.sha256 + dist/manifest.json (version, git commit, build inputs
// with their SHA-256, the tool surface as the updater measures it, the runtimes the test suite passed on),
// the Claude Desktop bundle dist/docwarden-<version>.mcpb (scripts/mcpb.mjs; `npm test` runs the official
// validator on it, `node scripts/check_mcpb.mjs` on this file) and the registry entry dist/server.json.
// The manifest holds no timestamp: the same commit and test record give the same manifest.
// `-- --sign-key FILE` (an Ed25519 PKCS#8 PEM private key, kept offline: docs/updating.md) signs every
// artifact written here as <artifact>.sig, last, so that nothing is changed after it was signed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as esbuildVersion } from 'esbuild';
import { fingerprint, loadSigningKey, signFiles } from './sign.mjs';
import { writeMcpb } from './mcpb.mjs';
import { writeServerJson } from './server_json.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function fail(message) {
  console.error(`Cannot release: ${message}`);
  process.exit(1);
}

function testedOnArg() {
  const i = process.argv.indexOf('--tested-on');
  const inline = process.argv.find((a) => a.startsWith('--tested-on='));
  const value = inline ? inline.slice('--tested-on='.length) : i >= 0 ? process.argv[i + 1] : undefined;
  if (i >= 0 && !value) fail('--tested-on needs a list, e.g. --tested-on node20,deno');
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : null;
}

/** The commit and whether the release inputs differ from it; nulls outside a git checkout. */
function gitState() {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0 || !/^[0-9a-f]{40}\s*$/.test(head.stdout)) return { commit: null, sourceDirty: null };
  const st = spawnSync('git', ['status', '--porcelain', '--', 'src', 'scripts', 'package.json', 'package-lock.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  return { commit: head.stdout.trim(), sourceDirty: st.status === 0 ? st.stdout.trim() !== '' : null };
}

/** Runtimes from the last green full test run, only if it tested exactly this bundle. */
function testedOnRecord(bundleSha) {
  const file = join(root, 'build', 'tested-runtimes.json');
  if (!existsSync(file))
    return { runtimes: [], why: 'no build/tested-runtimes.json (run `npm test` first, or pass --tested-on)' };
  const rec = JSON.parse(readFileSync(file, 'utf8'));
  if (rec.bundleSha256 !== bundleSha)
    return {
      runtimes: [],
      why: 'build/tested-runtimes.json is for another build of the bundle (run `npm test` again)',
    };
  return { runtimes: rec.runtimes, why: null };
}

function signKeyArg() {
  const i = process.argv.indexOf('--sign-key');
  if (i < 0) return null;
  const file = process.argv[i + 1];
  if (!file || file.startsWith('--'))
    fail('--sign-key needs the path of the release private key (PEM, PKCS#8, Ed25519)');
  try {
    return loadSigningKey(file);
  } catch (err) {
    fail(err.message);
  }
}
// Checked before building, so a wrong key costs nothing and never leaves a half-signed release.
const signingKey = signKeyArg();

const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) fail('the build failed');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundle = readFileSync(join(dist, 'docwarden.js'));
const bundleSha = sha256(bundle);
const shaLine = readFileSync(join(dist, 'docwarden.js.sha256'), 'utf8');
if (!shaLine.startsWith(bundleSha)) fail('dist/docwarden.js.sha256 does not match dist/docwarden.js');
const updater = readFileSync(join(dist, 'docwarden-update.js'));

const inputs = JSON.parse(readFileSync(join(dist, 'inputs.json'), 'utf8')).map((p) => ({
  path: p,
  sha256: sha256(readFileSync(join(root, p))),
}));

const surfaceRun = spawnSync(process.execPath, [
  join(dist, 'docwarden-update.js'),
  'surface',
  join(dist, 'docwarden.js'),
], { cwd: root, encoding: 'utf8', timeout: 60_000 });
if (surfaceRun.status !== 0) fail(`cannot measure the tool surface: ${surfaceRun.stderr.trim()}`);
const surface = JSON.parse(surfaceRun.stdout);
if (surface.version !== pkg.version)
  fail(`the bundle reports version ${surface.version}, package.json says ${pkg.version}`);

const explicit = testedOnArg();
const tested = explicit ? { runtimes: explicit, why: null } : testedOnRecord(bundleSha);
if (tested.why) console.error(`Warning: testedOn is empty: ${tested.why}`);

const { commit, sourceDirty } = gitState();
if (sourceDirty)
  console.error(
    'Warning: src/, scripts/ or package.json differ from the commit; the manifest says so (sourceDirty: true)',
  );

const manifest = {
  name: 'docwarden',
  version: pkg.version,
  file: 'docwarden.js',
  sha256: bundleSha,
  bytes: bundle.length,
  commit,
  sourceDirty,
  builtWith: { esbuild: esbuildVersion, target: 'node20' },
  inputs,
  protocolVersion: surface.protocolVersion,
  toolsSha256: surface.sha256,
  tools: surface.tools,
  testedOn: tested.runtimes,
  updater: { file: 'docwarden-update.js', sha256: sha256(updater) },
};
writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
const mcpb = await writeMcpb(dist);
const serverJson = writeServerJson(mcpb.file, dist);
console.error(`Released docwarden ${pkg.version}: dist/docwarden.js sha256 ${bundleSha}`);
console.error(
  `  commit ${commit ?? '(not a git checkout)'}${
    sourceDirty ? ' + local changes' : ''
  }; ${surface.tools.length} tools; tested on ${tested.runtimes.join(', ') || '(unknown)'}`,
);
console.error('  dist/docwarden.js, dist/docwarden.js.sha256, dist/manifest.json (and dist/docwarden-update.js)');
console.error(`  ${mcpb.file.slice(root.length + 1)} (sha256 ${mcpb.sha256}), ${serverJson.slice(root.length + 1)}`);

// Signatures last: every artifact above, or none (stale ones from an earlier run are removed either way).
const artifacts = [
  'docwarden.js',
  'docwarden-update.js',
  'manifest.json',
  'server.json',
  `docwarden-${pkg.version}.mcpb`,
]
  .map((f) => join(dist, f)).filter((f) => existsSync(f));
for (const f of artifacts) rmSync(`${f}.sig`, { force: true });
if (signingKey) {
  signFiles(signingKey, artifacts);
  console.error(
    `  signed with ${fingerprint(signingKey)}: ${artifacts.map((f) => `${f.slice(dist.length + 1)}.sig`).join(', ')}`,
  );
} else {
  console.error(
    '  NOT SIGNED (no --sign-key): the updater refuses these files unless the operator passes --allow-unsigned',
  );
}
