// The one test command (`npm test`): typecheck, build the bundle, compile the TypeScript tests with
// esbuild, run them with node:test, then run the end-to-end suite again with the server under Deno, and
// the e2e/ files again under Node's permission model (this Node, then Node 24): each line `launch` prints.
// Usage: node scripts/test.mjs [filter-substring]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
// One folder per run, so concurrent runs never delete each other's compiled tests.
const outdir = join(root, 'build', `test-${process.pid}`);

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\nFailed: ${cmd} ${args.join(' ')}`);
    rmSync(outdir, { recursive: true, force: true });
    process.exit(r.status ?? 1);
  }
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

if (!filter) run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
run(process.execPath, [join(root, 'scripts/build.mjs')]);
const testedBundle = createHash('sha256').update(readFileSync(join(root, 'dist/docwarden.js'))).digest('hex');

const tests = findTests(join(root, 'test')).filter((f) => relative(root, f).includes(filter));
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: tests.map((f) => relative(root, f)),
  outdir,
  outbase: 'test',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  define: { DOCWARDEN_VERSION: '"test"' },
  logLevel: 'warning',
});
const compiled = tests.map((f) => join(outdir, relative(join(root, 'test'), f)).replace(/\.ts$/, '.js'));
const e2e = compiled.filter((f) => f.includes('/e2e/') || f.includes('/security/'));
const concurrency = process.env.CI ? '2' : '2';
// The `node` dev dependency puts Node 24 first on npm's PATH; the main pass keeps the Node that runs npm.
const node = process.env.npm_node_execpath || process.execPath;
run(node, ['--test', `--test-concurrency=${concurrency}`, ...compiled]);
if (e2e.length > 0 && !process.env.DOCWARDEN_SKIP_DENO) {
  console.error('\n# end-to-end suite again, server under Deno with least-privilege flags');
  run(node, ['--test', `--test-concurrency=${concurrency}`, ...e2e], { DOCWARDEN_RUNTIME: 'deno' });
}
// Every line `docwarden launch --runtime node` prints, run for real: this Node with its permission flag
// (Node 20: --experimental-permission) and Node 24 (the `node` dev dependency) with --permission.
// The race test too: under Node's permission model the descriptor check needs the grant `launch` prints.
const sandboxed = e2e.filter((f) => f.includes('/e2e/') || f.endsWith('/security/race_swap.test.js'));
if (sandboxed.length > 0 && !process.env.DOCWARDEN_SKIP_NODE_SANDBOX) {
  console.error('\n# end-to-end suite again, server under Node\'s permission model (this Node, then Node 24)');
  run(node, ['--test', `--test-concurrency=${concurrency}`, ...sandboxed], { DOCWARDEN_RUNTIME: 'node-permission' });
  if (!existsSync(join(root, 'node_modules/node/bin/node'))) {
    console.error('\nFailed: no Node 24 at node_modules/node/bin/node: run `npm install` (the `node` dev dependency installs it)');
    rmSync(outdir, { recursive: true, force: true });
    process.exit(1);
  }
  run(node, ['--test', `--test-concurrency=${concurrency}`, ...sandboxed], { DOCWARDEN_RUNTIME: 'node24' });
}
rmSync(outdir, { recursive: true, force: true });
// A green full run records what it proved, for `npm run release`: this bundle passed on these runtimes.
if (!filter) {
  const nodeVersion = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  const runtimes = [`node ${nodeVersion}`];
  if (!process.env.DOCWARDEN_SKIP_NODE_SANDBOX) {
    const v24 = JSON.parse(readFileSync(join(root, 'node_modules/node/package.json'), 'utf8')).version;
    runtimes.push(`node ${nodeVersion} (permission model)`, `node ${v24} (permission model)`);
  }
  if (!process.env.DOCWARDEN_SKIP_DENO) {
    const v = spawnSync(join(root, 'node_modules/.bin/deno'), ['--version'], { encoding: 'utf8' });
    runtimes.push(`deno ${/deno (\S+)/.exec(v.stdout ?? '')?.[1] ?? 'unknown'}`);
  }
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'tested-runtimes.json'), JSON.stringify({ bundleSha256: testedBundle, runtimes }, null, 2) + '\n');
}
