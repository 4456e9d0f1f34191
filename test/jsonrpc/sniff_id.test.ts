import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffId } from '../../src/jsonrpc/sniff_id.ts';

const pad = 'x'.repeat(2000); // the head is cut inside this string, as for a real oversize line

test('`sniffId()` finds a top-level integer id before the big payload', () => {
  assert.equal(sniffId(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"q":"${pad}`), 42);
  assert.equal(sniffId(`{ "id" : -7 , "params":{"q":"${pad}`), -7);
  assert.equal(sniffId(`{"id":0}`), 0);
});

test('`sniffId()` finds a top-level string id', () => {
  assert.equal(sniffId(`{"jsonrpc":"2.0","id":"req-1","params":{"q":"${pad}`), 'req-1');
  assert.equal(sniffId(`{"id":"","method":"m"`), '');
});

test('`sniffId()` ignores an "id" key nested inside params or arrays', () => {
  assert.equal(sniffId(`{"jsonrpc":"2.0","params":{"id":99,"q":"${pad}`), undefined);
  assert.equal(sniffId(`{"params":{"id":99,"arr":[{"id":5}]},"id":7,"q":"${pad}`), 7);
  assert.equal(sniffId(`{"a":[{"id":1}],"id":"top","q":"${pad}`), 'top');
});

test('`sniffId()` ignores "id" text inside string values, including escaped quotes', () => {
  assert.equal(sniffId(`{"method":"x\\"id\\":5","id":3,"q":"${pad}`), 3);
  assert.equal(sniffId(`{"method":"\\\\","id":4,"q":"${pad}`), 4);
  assert.equal(sniffId(`{"q":"{\\"id\\":1}","params":{"q":"${pad}`), undefined);
});

test('`sniffId()` never returns a wrong id for a string id holding an escape', () => {
  const got = sniffId(`{"id":"a\\"b","method":"m","params":{"q":"${pad}`);
  assert.ok(got === undefined || got === 'a"b', `got ${String(got)}`);
});

test('`sniffId()` gives up on ids the server could not echo exactly', () => {
  assert.equal(sniffId('{"id":null,"method":"m"}'), undefined);
  assert.equal(sniffId('{"id":1.5,"method":"m"}'), undefined);
  assert.equal(sniffId('{"id":1e3,"method":"m"}'), undefined);
  assert.equal(sniffId('{"id":1234567890123456,"method":"m"}'), undefined, 'more than 15 digits');
  assert.equal(sniffId(`{"id":"${'a'.repeat(257)}","method":"m"}`), undefined, 'string id over 256 characters');
  assert.equal(sniffId('{"id":{"x":1},"method":"m"}'), undefined);
  assert.equal(sniffId('{"id":true}'), undefined);
});

test('`sniffId()` returns undefined when the head is cut inside the id', () => {
  assert.equal(sniffId('{"jsonrpc":"2.0","id":12'), undefined);
  assert.equal(sniffId('{"jsonrpc":"2.0","id":"abc'), undefined);
  assert.equal(sniffId('{"jsonrpc":"2.0","i'), undefined);
});

test('`sniffId()` returns undefined when there is no id at all', () => {
  assert.equal(sniffId(`{"jsonrpc":"2.0","method":"notifications/x","params":{"q":"${pad}`), undefined);
  assert.equal(sniffId(''), undefined);
  assert.equal(sniffId('not json at all'), undefined);
});

test('`sniffId()` finds the id after a top-level string value that happens to be "id"', () => {
  assert.equal(sniffId(`{"jsonrpc":"2.0","method":"id","id":5,"params":{"q":"${pad}`), 5);
});
