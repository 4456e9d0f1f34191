// The regex parser (src/search/safe_regex_parse.ts) on its own: the tree the VM compiles, with character
// classes merged into sorted disjoint ranges and escapes complemented over all UTF-16 units; the length
// limit is exact. (Refusals by message, through the compiler: test/search/safe_regex.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PATTERN_LENGTH, parseRegex } from '../../src/search/safe_regex_parse.ts';

const char = (c: string) => ({ kind: 'char', code: c.charCodeAt(0) });

test('sequences, alternatives and quantifiers become concat, alt and repeat nodes', () => {
  assert.deepEqual(parseRegex('ab'), { kind: 'concat', items: [char('a'), char('b')] });
  assert.deepEqual(parseRegex('a|b|'), { kind: 'alt', items: [char('a'), char('b'), { kind: 'empty' }] });
  assert.deepEqual(parseRegex('a*?'), { kind: 'repeat', item: char('a'), min: 0, max: -1, greedy: false });
  assert.deepEqual(parseRegex('a{2,}'), { kind: 'repeat', item: char('a'), min: 2, max: -1, greedy: true });
  assert.deepEqual(parseRegex('a{2,3}'), { kind: 'repeat', item: char('a'), min: 2, max: 3, greedy: true });
  assert.deepEqual(parseRegex('a{,3}'), { kind: 'concat', items: [...'a{,3}'].map(char) }, 'not a quantifier: literal');
  assert.deepEqual(parseRegex('(?:a)'), char('a'));
  assert.deepEqual(parseRegex('(?<name>a)+'), { kind: 'repeat', item: char('a'), min: 1, max: -1, greedy: true });
  assert.deepEqual(parseRegex('^\\b$'), {
    kind: 'concat',
    items: [{ kind: 'assert', what: 'bol' }, { kind: 'assert', what: 'word' }, { kind: 'assert', what: 'eol' }],
  });
});

test('classes become sorted, merged ranges; negated escapes complement over every UTF-16 unit', () => {
  assert.deepEqual(parseRegex('[c-eab-d]'), { kind: 'set', ranges: [0x61, 0x65], negated: false });
  assert.deepEqual(parseRegex('[^x]'), { kind: 'set', ranges: [0x78, 0x78], negated: true });
  assert.deepEqual(parseRegex('\\D'), { kind: 'set', ranges: [0, 0x2f, 0x3a, 0xffff], negated: false });
  assert.deepEqual(parseRegex('[\\d_]'), { kind: 'set', ranges: [0x30, 0x39, 0x5f, 0x5f], negated: false });
  assert.deepEqual(parseRegex('.'), { kind: 'set', ranges: [0, 9, 11, 0xffff], negated: false }, 'all but \\n');
  assert.deepEqual(parseRegex('\\x41\\u00e9\\t'), { kind: 'concat', items: [char('A'), char('é'), char('\t')] });
});

test('the length limit is exact', () => {
  assert.equal(parseRegex('a'.repeat(MAX_PATTERN_LENGTH)).kind, 'concat');
  assert.throws(() => parseRegex('a'.repeat(MAX_PATTERN_LENGTH + 1)), /pattern too long \(513 characters, limit 512\)/);
});
