import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Length, utf8Prefix } from '../../src/text/utf8.ts';

const SAMPLES = [
  '',
  'ascii',
  'é',
  '日本語のテキスト',
  '😀 emoji',
  'mixed é 日 😀 end',
  '\u0000\u007f\u0080\u07ff\u0800\uffff',
];

test('`utf8Length()` equals the encoded byte length for every kind of character', () => {
  for (const s of SAMPLES) assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
});

test('`utf8Prefix()` returns the longest prefix within the byte budget and never splits a surrogate pair', () => {
  const s = 'ab😀日c';
  for (let budget = 0; budget <= 12; budget++) {
    const n = utf8Prefix(s, budget);
    const prefix = s.slice(0, n);
    assert.ok(utf8Length(prefix) <= budget, `budget ${budget}`);
    assert.ok(!/[\ud800-\udbff]$/.test(prefix), 'no lone high surrogate at the cut');
    if (n < s.length) {
      const step = /[\ud800-\udbff]/.test(s.charAt(n)) ? 2 : 1;
      assert.ok(utf8Length(s.slice(0, n + step)) > budget, `prefix at budget ${budget} is not the longest`);
    }
  }
});
