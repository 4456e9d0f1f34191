// Tests for src/text/escape.ts: every unsafe range is escaped, ordinary text is untouched, 100 KB is fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, escapeName } from '../../src/text/escape.ts';

const hex4 = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Every code point the module must escape in content (\t and \n are the only C0 exceptions).
const UNSAFE: readonly number[] = [
  ...range(0x00, 0x08),
  ...range(0x0b, 0x1f),
  0x7f,
  ...range(0x80, 0x9f),
  0x061c,
  ...range(0x200b, 0x200f),
  0x2028,
  0x2029,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
  0xfeff,
];

test('`escapeControls()` escapes every unsafe code point as a visible \\uXXXX', () => {
  for (const code of UNSAFE) {
    const c = String.fromCharCode(code);
    assert.equal(escapeControls(`a${c}b`), `a${hex4(code)}b`, hex4(code));
  }
});

test('`escapeControls()` defuses terminal escape sequences', () => {
  assert.equal(escapeControls('\x1b[31mred\x1b[0m'), '\\u001b[31mred\\u001b[0m');
  assert.equal(escapeControls('\x1b]0;title\x07'), '\\u001b]0;title\\u0007');
  assert.equal(escapeControls('\x9b2J'), '\\u009b2J');
  assert.equal(escapeControls('line\r\noverwrite'), 'line\\u000d\noverwrite');
});

test('`escapeControls()` makes Trojan Source bidi tricks visible', () => {
  const trojan = 'access = "user\u202E \u2066// admin\u2069 \u2066"';
  assert.equal(escapeControls(trojan), 'access = "user\\u202e \\u2066// admin\\u2069 \\u2066"');
  assert.equal(escapeControls('pass\u200Bword\uFEFF\u200E\u061C'), 'pass\\u200bword\\ufeff\\u200e\\u061c');
});

test('`escapeControls()` keeps \\n, \\t and ordinary Unicode untouched', () => {
  const ordinary =
    'Line 1\n\tindented — naïve café, Ελληνικά, 日本語, עברית, العربية, 😀👍🏽, ZWJ-free, \u00A0nbsp, \u2027 dot';
  assert.equal(escapeControls(ordinary), ordinary);
  assert.equal(escapeControls(''), '');
  // Neighbours of the escaped ranges stay.
  for (
    const code of [0x20, 0x7e, 0xa0, 0x061b, 0x061d, 0x200a, 0x2010, 0x2027, 0x202f, 0x2065, 0x206a, 0xfefe, 0xff01]
  ) {
    const c = String.fromCharCode(code);
    assert.equal(escapeControls(c), c, hex4(code));
  }
});

test('`escapeName()` also escapes \\n and \\t', () => {
  assert.equal(escapeName('evil\nfake-entry.md\tcol'), 'evil\\u000afake-entry.md\\u0009col');
  assert.equal(escapeName('a\x1b[2Jb\u202Egnp.md'), 'a\\u001b[2Jb\\u202egnp.md');
  assert.equal(escapeName('guides/café 日本.md'), 'guides/café 日本.md');
  for (const code of UNSAFE) assert.equal(escapeName(String.fromCharCode(code)), hex4(code));
});

// Linear time without a clock: on 1 MB inputs a quadratic pass would run for many minutes, which the
// runner's hang guard reports; a linear one takes milliseconds.
test('`escapeControls()` and `escapeName()` handle 1 MB strings in one pass', () => {
  const dense = '\x1b\u202E\x00a'.repeat(250_000);
  const plain = 'plain text line\n'.repeat(62_500);
  for (const fn of [escapeControls, escapeName]) for (const s of [dense, plain]) assert.ok(fn(s).length >= s.length);
  assert.equal(escapeControls(dense).length, 250_000 * (6 * 3 + 1));
  assert.equal(escapeControls(plain), plain);
});

test('invisible characters a model reads and a person does not see are escaped: TAG, U+2060-2064, U+00AD', () => {
  const hidden = 'a\u{e0041}\u{e007f}b\u00adc\u2060\u2064d';
  assert.equal(escapeControls(hidden), 'a\\u{e0041}\\u{e007f}b\\u00adc\\u2060\\u2064d');
  assert.equal(escapeName(hidden), escapeControls(hidden));
  assert.equal(escapeControls('x\u{e0020}'), 'x\\u{e0020}');
  assert.equal(escapeControls('emoji 😀 stays'), 'emoji 😀 stays');
});
