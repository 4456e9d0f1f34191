// The npm package as a user gets it: `npm pack` from this checkout, the tarball installed into a fresh
// prefix without the network (it has no dependencies), the installed `docwarden` bin started over
// stdio and used. The tarball must hold only what a user runs or reads, and the installed file must be
// byte for byte the bundle whose checksum the build published.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE, Client } from '../helpers/harness.ts';

/** npm as the user runs it: the npm that runs this suite when there is one, else the one on PATH. */
function npm(args: readonly string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const cli = process.env['npm_execpath'];
  const [cmd, argv] = cli && cli.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', [...args]];
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 180_000, env });
  return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const PACKAGE_FILES = [
  'LICENSE',
  'README.md',
  'config.dev.json',
  'config.prod.json',
  'dist/docwarden.js',
  'package.json',
];

test('npm package: the tarball holds the bundle, README, LICENSE and the two example configs, and nothing else', () => {
  const out = tempDir('dw-pack-');
  const r = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', out], resolve('.'));
  assert.equal(r.code, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as { name: string; files: { path: string }[]; size: number }[];
  assert.ok(info);
  assert.deepEqual(info.files.map((f) => f.path).sort(), PACKAGE_FILES);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
  assert.equal(pkg['private'], undefined, 'a private package cannot be published');
  assert.deepEqual(pkg['bin'], { docwarden: 'dist/docwarden.js' });
  assert.equal(pkg['dependencies'], undefined, 'no runtime dependencies');
  assert.match(String((pkg['engines'] as Record<string, string>)['node']), />=\s*20/);
  assert.match(String(pkg['mcpName']), /^io\.github\.[A-Za-z0-9-]+\/docwarden$/);
});

test('npm package: installed from the tarball offline, the `docwarden` bin serves documents over stdio', async () => {
  const out = tempDir('dw-pack-');
  const packed = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', out], resolve('.'));
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = join(out, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? '');
  const prefix = tempDir('dw-prefix-');
  const installed = npm(['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], prefix);
  assert.equal(installed.code, 0, installed.stderr);

  const bin = join(prefix, 'node_modules', '.bin', 'docwarden');
  const file = realpathSync(bin);
  assert.equal(file, join(prefix, 'node_modules', 'docwarden', 'dist', 'docwarden.js'));
  const published = readFileSync(`${BUNDLE}.sha256`, 'utf8').split(/\s+/)[0];
  const installedSha = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.equal(installedSha, published, 'installed file = released checksum');

  // The bin itself, as a client starts it: no `node` in front (the shebang picks it).
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.ok(version.stdout.includes(published ?? '-'), version.stdout);

  const guide = '# Install\n\nRun the installer from the npm package.\n';
  const docs = makeTree({ 'guide/install.md': guide, '.env': 'SECRET=1\n' });
  const c = new Client(spawn(bin, ['--root', docs], { stdio: ['pipe', 'pipe', 'pipe'] }), null);
  try {
    await c.initialize();
    const tools = await c.request('tools/list');
    assert.equal((tools.result?.['tools'] as unknown[]).length, 6);
    const listed = await c.call('find_docs', { pattern: '**' });
    assert.match(c.textOf(listed), /guide\/install\.md/);
    assert.doesNotMatch(c.textOf(listed), /\.env/);
    const read = await c.call('read_doc', { path: 'guide/install.md' });
    assert.match(c.textOf(read), /Run the installer from the npm package/);
  } finally {
    await c.close();
  }
});
