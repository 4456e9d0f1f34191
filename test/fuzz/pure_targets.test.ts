// Seeded fuzzing of the pure modules that first touch hostile input: the frame reader (byte streams,
// random splits, CR/LF placement, huge lines, bad UTF-8), the JSON-RPC envelope parser and id sniffer
// (mutated messages and batches), and every tool's argument reader (mutated arguments). 105,000 inputs
// in a few seconds; a failure prints its seed, which `npm run fuzz -- --target T --seed S --count 1`
// replays. DOCWARDEN_FUZZ_SEED picks another fixed starting seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type FuzzFailure, TARGETS } from '../helpers/fuzz_targets.ts';

const SEED = Number(process.env['DOCWARDEN_FUZZ_SEED'] ?? 20261125) >>> 0;
const COUNTS: Readonly<Record<string, number>> = {
  line_reader: 25_000,
  envelope: 35_000,
  sniff_id: 10_000,
  tool_args: 35_000,
};

function explain(f: FuzzFailure | null): string {
  return f === null
    ? ''
    : `${f.target} failed at seed ${f.seed}: ${f.problem}\ninput: ${f.input}\nreplay: npm run fuzz -- --target ${f.target} --seed ${f.seed} --count 1`;
}

test('at least 100,000 inputs are fuzzed in npm test', () => {
  assert.ok(Object.values(COUNTS).reduce((a, b) => a + b, 0) >= 100_000);
});

for (const [name, count] of Object.entries(COUNTS)) {
  test(`${name}: ${count} seeded inputs keep every property (seed ${SEED})`, (t) => {
    const target = TARGETS[name];
    assert.ok(target, name);
    const started = Date.now();
    const failure = target(SEED, count);
    t.diagnostic(`${count} inputs in ${Date.now() - started} ms`);
    assert.equal(failure, null, explain(failure));
  });
}
