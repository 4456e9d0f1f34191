// The one test command (`npm test`): typecheck, build the bundle, compile the TypeScript tests with
// esbuild, run them with node:test, then run the end-to-end suite again with the server under Deno.
// Usage: node scripts/test.mjs [filter-substring]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
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
run(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...compiled]);
if (e2e.length > 0 && !process.env.DOCWARDEN_SKIP_DENO) {
  console.error('\n# end-to-end suite again, server under Deno with least-privilege flags');
  run(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...e2e], { DOCWARDEN_RUNTIME: 'deno' });
}
rmSync(outdir, { recursive: true, force: true });
