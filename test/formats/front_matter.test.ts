import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrontMatter } from '../../src/formats/front_matter.ts';

function fm(text: string): { fields: Record<string, string>; endLine: number } | null {
  const r = parseFrontMatter(text.split('\n'));
  return r === null ? null : { fields: { ...r.fields }, endLine: r.endLine };
}

test('`parseFrontMatter()` reads simple YAML pairs and strips matching quotes', () => {
  const text = [
    '---',
    'title: Getting started',
    'description: "Install: the \\"easy\\" way"',
    "author: 'O''Brien'",
    'draft: false # comment',
    'url: http://x.test/#a',
    'mixed: "left\'',
    'empty:',
    'last_key-2: v',
    '---',
    '# Body',
  ].join('\n');
  assert.deepEqual(fm(text), {
    fields: {
      title: 'Getting started',
      description: 'Install: the "easy" way',
      author: "O'Brien",
      draft: 'false',
      url: 'http://x.test/#a',
      mixed: '"left\'',
      empty: '',
      'last_key-2': 'v',
    },
    endLine: 10,
  });
});

test('`parseFrontMatter()` renders lists and block scalars and ignores nested mappings', () => {
  const text = [
    '---',
    'tags:',
    '  - one',
    '  - "two"',
    'flow: [a, b]',
    'nested:',
    '  child: x',
    '  other: y',
    'literal: |',
    '  line one',
    '  line two',
    'folded: >-',
    '  folded',
    '  text',
    'bare_list:',
    '- x',
    '- y',
    'after: z',
    '...',
  ].join('\n');
  assert.deepEqual(fm(text), {
    fields: {
      tags: 'one, two',
      flow: '[a, b]',
      literal: 'line one\nline two',
      folded: 'folded text',
      bare_list: 'x, y',
      after: 'z',
    },
    endLine: 19,
  });
});

test('`parseFrontMatter()` skips invalid and prototype-named keys and keeps the first duplicate', () => {
  const text = [
    '---',
    '__proto__: polluted',
    'constructor: x',
    'prototype: y',
    'has space: no',
    '"quoted": no',
    `${'k'.repeat(65)}: too long`,
    'ok: 1',
    'ok: 2',
    'toString: fine',
    'a:b',
    '---',
  ].join('\n');
  const r = parseFrontMatter(text.split('\n'));
  assert.ok(r !== null);
  assert.equal(Object.getPrototypeOf(r.fields), null);
  assert.deepEqual(Object.keys(r.fields), ['ok', 'toString']);
  assert.equal(r.fields['ok'], '1');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('`parseFrontMatter()` caps fields at 50 and values at 500 characters', () => {
  const many = ['---', ...Array.from({ length: 80 }, (_, k) => `k${k}: v${k}`), `long: ${'é'.repeat(600)}`, '---'];
  const r = parseFrontMatter(many);
  assert.ok(r !== null);
  assert.equal(Object.keys(r.fields).length, 50);
  assert.equal(r.fields['k49'], 'v49');
  assert.equal(r.fields['k50'], undefined);
  const one = parseFrontMatter(['---', `long: ${'é'.repeat(600)}`, '---']);
  assert.equal(one?.fields['long'], 'é'.repeat(500));
});

test('`parseFrontMatter()` reads a huge value only as far as it keeps: its first 500 characters, quoted or not', () => {
  const huge = '\u{1F600}'.repeat(5_000_000); // 10 M UTF-16 units, a surrogate pair each
  const lines = ['---', `a: ${huge}`, `b: "${huge}"`, `c: '${"x''".repeat(1000)}'`, 'd: |', `  ${huge}`, '---'];
  const r = parseFrontMatter(lines);
  for (const key of ['a', 'b', 'd']) assert.equal(r?.fields[key], '\u{1F600}'.repeat(500), key);
  assert.equal(r?.fields['c'], "x'".repeat(250)); // escapes undone within the characters read
});

test('`parseFrontMatter()` returns null without an opening line 1 or a closing line within 200 lines', () => {
  assert.equal(fm('# Title\n---\na: b\n---'), null);
  assert.equal(fm('\n---\na: b\n---'), null);
  assert.equal(fm('---\na: b\n'), null);
  assert.equal(fm('+++\na = "b"\n---'), null);
  assert.equal(parseFrontMatter([]), null);
  const far = ['---', ...Array.from({ length: 199 }, () => 'x: y'), '---'];
  assert.equal(parseFrontMatter(far), null);
  const near = ['---', ...Array.from({ length: 198 }, () => 'x: y'), '---'];
  assert.equal(parseFrontMatter(near)?.endLine, 200);
});

test('`parseFrontMatter()` returns empty fields for empty front matter', () => {
  assert.deepEqual(fm('---\n---\nbody'), { fields: {}, endLine: 2 });
  assert.deepEqual(fm('---  \n# only a comment\n...'), { fields: {}, endLine: 3 });
});

test('`parseFrontMatter()` reads TOML key = value pairs up to the first table', () => {
  const text = [
    '+++',
    'title = "Hello \\"world\\""',
    "path = 'C:\\dir'",
    'weight = 10 # comment',
    'tags = ["a", "b"]',
    'spaced_key   =   "v"',
    '# comment',
    'bad key = 1',
    '__proto__ = "x"',
    '[params]',
    'inner = "no"',
    '+++',
  ].join('\n');
  assert.deepEqual(fm(text), {
    fields: { title: 'Hello "world"', path: 'C:\\dir', weight: '10', tags: '["a", "b"]', spaced_key: 'v' },
    endLine: 12,
  });
});
