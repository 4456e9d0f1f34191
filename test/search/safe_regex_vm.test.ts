// The Pike VM (src/search/safe_regex_vm.ts) on its own: a scan in small steps gives the same match as one
// long step and pauses once per line position at least (so a caller can yield inside a long line), one
// matcher serves any number of lines, and a program over the state limit is refused when compiled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegex } from '../../src/search/safe_regex_parse.ts';
import { compileProgram, createMatcher, MAX_PROGRAM_SIZE, type VmScan } from '../../src/search/safe_regex_vm.ts';

const matcher = (pattern: string, foldCase = false) => createMatcher(compileProgram(parseRegex(pattern), foldCase));

/** Runs a scan `work` units at a time; returns the result and how many steps it took. */
function stepped(scan: VmScan, work: number) {
  for (let steps = 1;; steps++) {
    const r = scan.step(work);
    if (r !== undefined) return { r, steps };
  }
}

const CASES: readonly (readonly [string, string])[] = [
  ['b+', 'aaabbbc'],
  ['(a|ab)(c|bcd)', 'xabcd'],
  ['x*?y', 'xxxy'],
  ['\\bword\\b', 'a sword, a word'],
  ['(a+)+$', 'a'.repeat(300)], // with a final "!" native RegExp would backtrack for ages
  ['é', 'café'],
  ['^$', ''],
];

test("small steps find exactly what one long step finds, at JavaScript's positions", () => {
  for (const [pattern, line] of CASES) {
    const m = matcher(pattern);
    const whole = m(line).step(Infinity);
    for (const work of [1, 3, 17]) assert.deepEqual(stepped(m(line), work).r, whole, `${pattern} / ${work}`);
    const js = new RegExp(pattern).exec(line);
    assert.deepEqual(whole, js ? { index: js.index, length: js[0].length } : null, pattern);
  }
});

test('a scan pauses at least once per position, so a long line never runs in one piece', () => {
  const line = 'a'.repeat(5000) + '!';
  const { r, steps } = stepped(matcher('(a|aa)+$')(line), 1);
  assert.equal(r, null);
  assert.ok(steps > line.length, `${steps} steps for ${line.length} characters`);
  const budget = stepped(matcher('(a|aa)+$')(line), 1000).steps;
  assert.ok(budget < steps / 10, 'a larger budget takes fewer, longer steps');
});

test('one matcher scans line after line without carrying anything over', () => {
  const m = matcher('ab?c', true);
  for (let i = 0; i < 2000; i++) {
    const line = i % 2 === 0 ? `${'x'.repeat(i % 50)}ABC` : 'ab-c';
    assert.deepEqual(m(line).step(Infinity), i % 2 === 0 ? { index: i % 50, length: 3 } : null, line);
  }
});

test('case folding never folds a non-ASCII unit into ASCII', () => {
  assert.equal(matcher('s', true)('ſ').step(Infinity), null);
  assert.deepEqual(matcher('É', true)('é').step(Infinity), { index: 0, length: 1 });
});

test('the program size limit is checked when compiling', () => {
  assert.equal(MAX_PROGRAM_SIZE, 1000);
  assert.ok(compileProgram(parseRegex('a{99}'), false).op.length < MAX_PROGRAM_SIZE);
  assert.throws(() => compileProgram(parseRegex('(ab{99}){10}'), false), /over 1000 states/);
});
