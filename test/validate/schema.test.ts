import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  array,
  boolean,
  integer,
  nullable,
  object,
  oneOf,
  quote,
  string,
  stringMap,
} from '../../src/validate/schema.ts';

function refuses(fn: () => unknown, ...patterns: RegExp[]): string {
  let message = '';
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ArgumentError, `expected ArgumentError, got ${String(err)}`);
    message = err.message;
    return true;
  });
  for (const p of patterns) assert.match(message, p);
  return message;
}

test('`string()` yields its JSON Schema and accepts lengths inside the bounds', () => {
  const s = string({ description: 'd', minLength: 2, maxLength: 5 });
  assert.deepEqual(s.json, { type: 'string', description: 'd', minLength: 2, maxLength: 5 });
  assert.equal(s.read('ab', 'f'), 'ab');
  assert.equal(s.read('abcde', 'f'), 'abcde');
});

test('`string()` refuses wrong types, too short and too long values, naming the field and the limit', () => {
  const s = string({ description: 'd', minLength: 2, maxLength: 5 });
  refuses(() => s.read('a', 'name'), /`name`/, /at least 2 characters/);
  refuses(() => s.read('abcdef', 'name'), /`name`/, /at most 5 characters \(got 6\)/);
  refuses(() => s.read(5, 'name'), /`name` must be a string/, /a number/);
  refuses(() => s.read(null, 'name'), /must be a string/, /null/);
  refuses(() => s.read(['x'], 'name'), /must be a string/, /an array/);
  refuses(() => s.read({}, 'name'), /must be a string/, /an object/);
  const one = string({ description: 'd', minLength: 1, maxLength: 5 });
  refuses(() => one.read('', 'path'), /`path` must not be empty/);
});

test('`oneOf()` lists the choices and accepts only them, typed as their literal union', () => {
  const s = oneOf(['words', 'regex'], 'd');
  const typed: 'words' | 'regex' = s.read('words', 'mode');
  assert.equal(typed, 'words');
  assert.deepEqual(s.json, { type: 'string', description: 'd', enum: ['words', 'regex'] });
  assert.equal(s.read('regex', 'mode'), 'regex');
  refuses(() => s.read('Regex', 'mode'), /`mode` must be one of "words", "regex"/, /got "Regex"/);
  refuses(() => s.read('', 'mode'), /one of/);
});

test('`string()` with a pattern gives the hint and quotes the value', () => {
  const s = string({
    description: 'd',
    minLength: 1,
    maxLength: 10,
    pattern: { source: '^[a-z]+$', hint: 'must be lowercase letters' },
  });
  assert.equal(s.json['pattern'], '^[a-z]+$');
  assert.equal(s.read('abc', 'x'), 'abc');
  refuses(() => s.read('aBc', 'x'), /`x` must be lowercase letters/, /"aBc"/);
  refuses(() => s.read('abc\n', 'x'), /lowercase/);
});

test('`integer()` accepts the bounds and refuses just outside them', () => {
  const n = integer({ description: 'd', minimum: 1, maximum: 10 });
  assert.deepEqual(n.json, { type: 'integer', description: 'd', minimum: 1, maximum: 10 });
  assert.equal(n.read(1, 'limit'), 1);
  assert.equal(n.read(10, 'limit'), 10);
  refuses(() => n.read(0, 'limit'), /`limit` must be from 1 to 10/, /got 0/);
  refuses(() => n.read(11, 'limit'), /from 1 to 10/, /got 11/);
  refuses(() => n.read(-1, 'limit'), /from 1 to 10/);
});

test('`integer()` refuses fractions, huge numbers, NaN, Infinity, strings and booleans', () => {
  const n = integer({ description: 'd', minimum: 0, maximum: 100 });
  refuses(() => n.read(1.5, 'n'), /`n` must be an integer/, /1\.5/);
  refuses(() => n.read(1e308, 'n'), /from 0 to 100/);
  refuses(() => n.read(-1e308, 'n'), /from 0 to 100/);
  refuses(() => n.read(Number.NaN, 'n'), /must be an integer/, /NaN/);
  refuses(() => n.read(Number.POSITIVE_INFINITY, 'n'), /must be an integer/, /Infinity/);
  refuses(() => n.read('5', 'n'), /must be an integer/, /a string/);
  refuses(() => n.read(true, 'n'), /must be an integer/, /a boolean/);
});

test('`boolean()` accepts only true and false', () => {
  const b = boolean('flag');
  assert.deepEqual(b.json, { type: 'boolean', description: 'flag' });
  assert.equal(b.read(true, 'f'), true);
  assert.equal(b.read(false, 'f'), false);
  for (const v of [0, 1, 'true', null, []])
    refuses(() => b.read(v, 'caseSensitive'), /`caseSensitive` must be true or false/);
});

test('`array()` caps the item count and names the failing item by index', () => {
  const a = array(integer({ description: 'i', minimum: 0, maximum: 9 }), { description: 'list', maxItems: 3 });
  assert.deepEqual(a.json, {
    type: 'array',
    description: 'list',
    items: { type: 'integer', description: 'i', minimum: 0, maximum: 9 },
    maxItems: 3,
  });
  assert.deepEqual(a.read([1, 2, 3], 'xs'), [1, 2, 3]);
  assert.deepEqual(a.read([], 'xs'), []);
  refuses(() => a.read([1, 2, 3, 4], 'xs'), /`xs` must have at most 3 items \(got 4\)/);
  refuses(() => a.read([1, 42], 'xs'), /`xs\[1\]` must be from 0 to 9/);
  refuses(() => a.read('1,2', 'xs'), /`xs` must be an array/);
  refuses(() => a.read({ 0: 1, length: 1 }, 'xs'), /must be an array/);
});

test('`nullable()` accepts null and otherwise defers to the inner schema', () => {
  const s = nullable(string({ description: 'd', maxLength: 3 }));
  assert.deepEqual(s.json['type'], ['string', 'null']);
  assert.equal(s.read(null, 'x'), null);
  assert.equal(s.read('abc', 'x'), 'abc');
  refuses(() => s.read('abcd', 'x'), /at most 3/);
});

test('`stringMap()` describes an output (a map of strings) and reads no input', () => {
  const m = stringMap('fields');
  assert.deepEqual(m.json, { type: 'object', description: 'fields', additionalProperties: { type: 'string' } });
  assert.throws(() => m.read({ a: 'x' }, 'fm'), /describes an output: nothing reads input with it/);
});

const TOOL = object(
  {
    path: string({ description: 'p', minLength: 1, maxLength: 20 }),
    limit: integer({ description: 'l', minimum: 1, maximum: 50 }),
    nested: object({ deep: boolean('b') }, ['deep']),
  },
  ['path'],
);

test('`object()` yields a closed JSON Schema with properties, required and additionalProperties false', () => {
  assert.equal(TOOL.json['type'], 'object');
  assert.deepEqual(Object.keys(TOOL.json['properties'] as object), ['path', 'limit', 'nested']);
  assert.deepEqual(TOOL.json['required'], ['path']);
  assert.equal(TOOL.json['additionalProperties'], false);
  assert.equal('required' in object({}, []).json, false, 'no empty required list');
});

test('`object()` copies checked fields into a fresh object and leaves absent optionals out', () => {
  const input = { path: 'a.md', limit: 5 };
  const out = TOOL.read(input, 'arguments');
  assert.deepEqual(out, { path: 'a.md', limit: 5 });
  assert.notEqual(out, input);
  assert.equal(Object.hasOwn(out, 'nested'), false);
  assert.deepEqual(TOOL.read({ path: 'x', nested: { deep: true } }, 'arguments'), {
    path: 'x',
    nested: { deep: true },
  });
});

test('`object()` refuses an unknown key and lists the allowed keys', () => {
  refuses(
    () => TOOL.read({ path: 'a', docs_dir: '/' }, 'arguments'),
    /`arguments` has an unknown key "docs_dir"; allowed: path, limit, nested/,
  );
  refuses(() => object({}, []).read({ x: 1 }, 'arguments'), /unknown key "x"; it takes no arguments/);
  refuses(
    () => TOOL.read({ path: 'a', nested: { deep: true, extra: 1 } }, 'arguments'),
    /`nested` has an unknown key "extra"; allowed: deep/,
  );
});

test('`object()` refuses `__proto__`, `constructor` and `prototype` own keys', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const input: unknown = JSON.parse(`{"path":"a","${key}":{"polluted":true}}`);
    assert.ok(Object.hasOwn(input as object, key));
    refuses(() => TOOL.read(input, 'arguments'), new RegExp(`must not contain the key "${key}"`));
    refuses(
      () => TOOL.read(JSON.parse(`{"path":"a","nested":{"deep":true,"${key}":1}}`), 'arguments'),
      /`nested` must not contain the key/,
    );
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('`object()` names a missing required key, including inside nested objects', () => {
  refuses(() => TOOL.read({}, 'arguments'), /`arguments` is missing the required key "path"/);
  refuses(() => TOOL.read({ path: 'a', nested: {} }, 'arguments'), /`nested` is missing the required key "deep"/);
});

test('`object()` names nested fields with a dotted path outside the `arguments` top level', () => {
  refuses(
    () => TOOL.read({ path: 'a', nested: { deep: 1 } }, 'config'),
    /`config\.nested\.deep` must be true or false/,
  );
  refuses(() => TOOL.read({ path: 'a', limit: 0 }, 'arguments'), /`limit` must be from 1 to 50/);
  refuses(() => TOOL.read({ path: 'a'.repeat(21) }, 'arguments'), /`path` must be at most 20 characters \(got 21\)/);
});

test('`object()` refuses non-objects', () => {
  for (const v of [null, [], 'x', 1, true]) refuses(() => TOOL.read(v, 'arguments'), /`arguments` must be an object/);
});

test('`quote()` JSON-quotes and cuts values to 60 characters', () => {
  assert.equal(quote('abc'), '"abc"');
  assert.equal(quote(12), '12');
  assert.equal(quote(Number.NaN), 'NaN');
  assert.equal(quote(JSON.parse('1e999')), 'Infinity', 'a number JSON.parse makes but JSON cannot show');
  const long = quote('x'.repeat(200));
  assert.equal(long.length, 60);
  assert.ok(long.endsWith('...'));
});

test('an unknown key in a message is quoted and cut, so a huge key cannot flood the reply', () => {
  const msg = refuses(() => TOOL.read({ path: 'a', ['k'.repeat(5000)]: 1 }, 'arguments'), /unknown key/);
  assert.ok(msg.length < 200, `message length ${msg.length}`);
});
