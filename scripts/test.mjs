// The one test command (`npm test`): typecheck, build the bundle, compile the TypeScript tests with
// esbuild, run them with node:test, then run the end-to-end suite again with the server under Deno, and
// the e2e/ files again under Node's permission model (this Node, then Node 24): each line `launch` prints.
// Deno and Node 24 come from test/runtimes/, a locked package folder of their own that `npm install` at the
// top never fetches: this script installs it (npm ci) on first use and again only when its lock changes.
// A full run also checks style with that Deno: `deno lint` and `deno fmt --check` (see STYLE below).
// Every pass runs even after one fails; the end is one summary (counts per pass, each failing test by
// file and name with the first lines of its error) and a non-zero exit status if anything failed.
// Usage: node scripts/test.mjs [filter-substring]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const format = process.argv[2] === '--format';
const filter = format ? '' : (process.argv[2] ?? '');
// One folder per run, so concurrent runs never delete each other's compiled tests.
const outdir = join(root, 'build', `test-${process.pid}`);
// A hang guard per pass, not a speed target: the slowest pass takes about 10 minutes on a busy 2-core machine.
const PASS_HANG_GUARD_MS = 40 * 60_000;
/** One entry per pass: { name, passed, failed, skipped, failures: [{ where, error }] }. */
const passes = [];
const RUNTIMES = join(root, 'test/runtimes');
const DENO = join(RUNTIMES, 'node_modules/.bin/deno');
const NODE24_PACKAGE = join(RUNTIMES, 'node_modules/node');
// Style rules: Deno's recommended lint rules except no-control-regex (escaping control characters is what
// src/text/ is for) and require-await (an async method without await is how a host method returns a Promise
// and turns a throw into a rejection); format: line width 120, single quotes. The formatter owns scripts/ and
// test/; src/ keeps its hand layout, as reflowing it adds over 1,300 lines to the source an auditor reads
// (the 8,000-line budget). Apply the format with `node scripts/test.mjs --format`.
const STYLE = join(RUNTIMES, 'style.json');
// Listed one by one: given `test` whole, deno skips it for the config file inside test/runtimes.
const FORMATTED = [
  'scripts',
  ...readdirSync(join(root, 'test')).filter((n) => n !== 'runtimes').map((n) => `test/${n}`),
];
const LINTED = ['src', ...FORMATTED];

/** Runs a step that is not a node:test pass (typecheck, build): one check that passed or failed. */
function step(name, cmd, args, cwd = root) {
  console.error(`\n# ${name}`);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: PASS_HANG_GUARD_MS });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  process.stderr.write(output);
  const ok = r.status === 0;
  const error = `${r.error ?? `exited with status ${r.status ?? r.signal}`}\n${
    output.trim().split('\n').slice(0, 8).join('\n')
  }`;
  passes.push({
    name,
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    failures: ok ? [] : [{ where: name, error: error.trim() }],
  });
  return ok;
}

/** The test file a compiled one came from, as a person finds it: test/e2e/smoke.test.ts. */
function sourceOf(file) {
  if (!file) return '(no file)';
  return join('test', relative(outdir, file.startsWith('file:') ? fileURLToPath(file) : file)).replace(/\.js$/, '.ts');
}

/** Runs node:test over `files`; the JSON-lines reporter's output gives the counts and the failures. */
function testPass(name, files, env = {}) {
  console.error(`\n# ${name}`);
  const results = join(outdir, `results-${passes.length}.jsonl`);
  const args = [
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/test_reporter.mjs')}`,
    `--test-reporter-destination=${results}`,
    ...files,
  ];
  const r = spawnSync(node, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
    timeout: PASS_HANG_GUARD_MS,
  });
  const lines = existsSync(results)
    ? readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];
  const pass = { name, passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const t of lines) {
    // A suite counts only when it failed by itself (a hook, or its file did not load), not for its tests.
    if (t.suite && (t.outcome !== 'failed' || t.failureType === 'subtestsFailed')) continue;
    if (t.outcome === 'failed' && t.failureType === 'cancelledByParent') continue; // its parent's failure says why
    pass[t.outcome]++;
    const name = t.path.length === 1 && t.path[0] === t.file ? '(the file as a whole)' : t.path.join(' > ');
    if (t.outcome === 'failed') pass.failures.push({ where: `${sourceOf(t.file)}: ${name}`, error: t.error });
  }
  if (r.status !== 0 && pass.failed === 0) {
    const why = r.error?.code === 'ETIMEDOUT'
      ? `stopped by the hang guard after ${PASS_HANG_GUARD_MS / 60_000} min`
      : `exited with status ${r.status ?? r.signal}`;
    pass.failed++;
    pass.failures.push({ where: name, error: `node --test ${why} without naming a failing test` });
  }
  passes.push(pass);
}

/** Installs test/runtimes (npm ci) unless the installed copy came from the same lock file. */
function installRuntimes() {
  const stamp = join(RUNTIMES, 'node_modules', '.docwarden-lock.sha256');
  const lock = createHash('sha256').update(readFileSync(join(RUNTIMES, 'package-lock.json'))).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return;
  // The npm that runs this script when there is one (npm test), else the npm on PATH.
  const npmCli = process.env.npm_execpath?.endsWith('npm-cli.js')
    ? [process.execPath, process.env.npm_execpath]
    : ['npm'];
  const args = [...npmCli.slice(1), 'ci', '--prefix', RUNTIMES, '--no-audit', '--no-fund'];
  if (step('install test/runtimes (npm ci, first use)', npmCli[0], args, RUNTIMES)) writeFileSync(stamp, lock);
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function summary() {
  console.log('\n# summary');
  for (const p of passes)
    console.log(`${p.name.padEnd(44)} ${p.passed} passed, ${p.failed} failed, ${p.skipped} skipped`);
  const failures = passes.flatMap((p) => p.failures.map((f) => ({ pass: p.name, ...f })));
  if (failures.length === 0) return console.log('\nall passed');
  console.log(`\n${failures.length} failed:`);
  for (const f of failures) console.log(`\n- [${f.pass}] ${f.where}\n${f.error.replace(/^/gm, '    ')}`);
}

// The Node that runs npm runs the passes (and the server, in the main pass).
const node = process.env.npm_node_execpath || process.execPath;
const nodeVersion = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
if (format) {
  installRuntimes();
  process.exit(spawnSync(DENO, ['fmt', '--config', STYLE, ...FORMATTED], { cwd: root, stdio: 'inherit' }).status ?? 1);
}
const tests = findTests(join(root, 'test')).filter((f) => relative(root, f).includes(filter));
if (tests.length === 0) {
  console.error(`No test file path contains ${JSON.stringify(filter)}: nothing to run.`);
  process.exit(2);
}
if (!filter)
  step('typecheck', process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.json',
    '--noEmit',
  ]);
// The main pass starts Deno and Node 24 too (least_privilege, permissions), and the style checks use Deno.
if (!filter || tests.length > 0) installRuntimes();
if (!filter) {
  step('lint (deno lint)', DENO, ['lint', '--config', STYLE, ...LINTED]);
  step('format (deno fmt --check)', DENO, ['fmt', '--check', '--config', STYLE, ...FORMATTED]);
}
const built = step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
rmSync(outdir, { recursive: true, force: true });
if (built) {
  const testedBundle = createHash('sha256').update(readFileSync(join(root, 'dist/docwarden.js'))).digest('hex');
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
  testPass(`node ${nodeVersion}`, compiled);
  if (e2e.length > 0 && !process.env.DOCWARDEN_SKIP_DENO) {
    testPass('e2e + security, server under Deno', e2e, { DOCWARDEN_RUNTIME: 'deno' });
  }
  // Every line `docwarden launch --runtime node` prints, run for real: this Node with its permission flag
  // (Node 20: --experimental-permission) and Node 24 (from test/runtimes) with --permission.
  // The race test too: under Node's permission model the descriptor check needs the grant `launch` prints.
  const sandboxed = e2e.filter((f) => f.includes('/e2e/') || f.endsWith('/security/race_swap.test.js'));
  if (sandboxed.length > 0 && !process.env.DOCWARDEN_SKIP_NODE_SANDBOX) {
    testPass(`e2e, server under Node ${nodeVersion} --permission`, sandboxed, { DOCWARDEN_RUNTIME: 'node-permission' });
    testPass('e2e, server under Node 24 --permission', sandboxed, { DOCWARDEN_RUNTIME: 'node24' });
  }
  // A green full run records what it proved, for `npm run release`: this bundle passed on these runtimes.
  if (!filter && passes.every((p) => p.failed === 0)) {
    const runtimes = [`node ${nodeVersion}`];
    if (!process.env.DOCWARDEN_SKIP_NODE_SANDBOX) {
      const v24 = JSON.parse(readFileSync(join(NODE24_PACKAGE, 'package.json'), 'utf8')).version;
      runtimes.push(`node ${nodeVersion} (permission model)`, `node ${v24} (permission model)`);
    }
    if (!process.env.DOCWARDEN_SKIP_DENO) {
      const v = spawnSync(DENO, ['--version'], { encoding: 'utf8' });
      runtimes.push(`deno ${/deno (\S+)/.exec(v.stdout ?? '')?.[1] ?? 'unknown'}`);
    }
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(
      join(root, 'build', 'tested-runtimes.json'),
      JSON.stringify({ bundleSha256: testedBundle, runtimes }, null, 2) + '\n',
    );
  }
}
rmSync(outdir, { recursive: true, force: true });
summary();
process.exitCode = passes.some((p) => p.failed > 0) ? 1 : 0;
