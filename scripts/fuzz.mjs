// Long fuzz runs (`npm run fuzz`): the generators and properties of test/helpers/fuzz_targets.ts, which
// `npm test` runs for a bounded 105,000 inputs, here for as long as asked, from any seed. Prints the
// first failing input with its seed (replay it with --seed S --count 1) and exits 1; exits 0 otherwise.
// Usage: node scripts/fuzz.mjs [--seconds N] [--seed S] [--target line_reader|envelope|sniff_id|tool_args]
//                              [--count C] [--bundle]
//   --bundle  also drives the real bundle over stdio (test/fuzz/stdio_bundle.test.ts) with fresh seeds.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const seconds = Number(option('seconds', '60'));
const seed = Number(option('seed', String(randomInt(2 ** 31)))) >>> 0;
const only = option('target', null);
const count = option('count', null);
const BATCH = 2000;

const outdir = join(root, 'build', `fuzz-${process.pid}`);
await build({
  absWorkingDir: root,
  entryPoints: ['test/helpers/fuzz_targets.ts'],
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { DOCWARDEN_VERSION: '"fuzz"' },
  logLevel: 'warning',
});
const { TARGETS } = await import(pathToFileURL(join(outdir, 'fuzz_targets.js')).href);
rmSync(outdir, { recursive: true, force: true });

const names = only ? [only] : Object.keys(TARGETS);
for (const n of names)
  if (!TARGETS[n]) throw new Error(`Unknown target ${n}; targets: ${Object.keys(TARGETS).join(', ')}`);

function fail(f) {
  console.error(
    `\nFAILED ${f.target} at seed ${f.seed}: ${f.problem}\ninput: ${f.input}\nreplay: npm run fuzz -- --target ${f.target} --seed ${f.seed} --count 1`,
  );
  process.exit(1);
}

console.error(
  `fuzz: targets ${names.join(', ')}; starting seed ${seed}; ${count ? `${count} inputs each` : `${seconds} s`}`,
);
if (count) {
  for (const n of names) {
    const f = TARGETS[n](seed, Number(count));
    if (f) fail(f);
  }
  console.error('fuzz: no failure');
  process.exit(0);
}

const deadline = Date.now() + seconds * 1000;
const done = Object.fromEntries(names.map((n) => [n, 0]));
let next = seed;
while (Date.now() < deadline) {
  for (const n of names) {
    const f = TARGETS[n](next, BATCH);
    if (f) fail(f);
    done[n] += BATCH;
  }
  next = (next + BATCH) >>> 0;
}
console.error(`fuzz: no failure; inputs per target: ${JSON.stringify(done)}`);

if (flag('bundle')) {
  // The stdio target needs the bundle and the test build; reuse the test runner, one fresh seed per round.
  const rounds = Math.max(1, Math.round(seconds / 5));
  for (let i = 0; i < rounds; i++) {
    const s = (seed + 7919 * (i + 1)) >>> 0;
    console.error(`fuzz: bundle over stdio, seed ${s}`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), 'fuzz/stdio_bundle'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, DOCWARDEN_FUZZ_SEED: String(s), DOCWARDEN_SKIP_DENO: '1' },
    });
    if (r.status !== 0) {
      console.error(
        `\nFAILED bundle over stdio at seed ${s}; replay: DOCWARDEN_FUZZ_SEED=${s} node scripts/test.mjs fuzz/stdio_bundle`,
      );
      process.exit(1);
    }
  }
}
