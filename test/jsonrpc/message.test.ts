import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, type Message, nestingDepth, parseFrame } from '../../src/jsonrpc/message.ts';

function single(text: string): Message {
  const f = parseFrame(text);
  assert.equal(f.kind, 'single', `expected one message for ${text.slice(0, 80)}`);
  return (f as { message: Message }).message;
}

function assertInvalid(text: string, id: string | number | undefined, reason?: RegExp): void {
  const m = single(text);
  assert.equal(m.kind, 'invalid', `should be invalid: ${text.slice(0, 80)}`);
  if (m.kind !== 'invalid') return;
  assert.equal(m.id, id);
  if (reason) assert.match(m.reason, reason);
}

test('`parseFrame()` classifies a request with integer, negative and string ids', () => {
  assert.deepEqual(single('{"jsonrpc":"2.0","id":1,"method":"ping"}'), {
    kind: 'request',
    id: 1,
    method: 'ping',
    params: undefined,
  });
  assert.deepEqual(single('{"jsonrpc":"2.0","id":-3,"method":"m","params":{"a":1}}'), {
    kind: 'request',
    id: -3,
    method: 'm',
    params: { a: 1 },
  });
  assert.deepEqual(single('{"jsonrpc":"2.0","id":"abc","method":"m"}'), {
    kind: 'request',
    id: 'abc',
    method: 'm',
    params: undefined,
  });
  assert.deepEqual(single('{"jsonrpc":"2.0","id":"","method":"m"}'), {
    kind: 'request',
    id: '',
    method: 'm',
    params: undefined,
  });
  assert.deepEqual(single('{"jsonrpc":"2.0","id":1.0,"method":"m"}'), {
    kind: 'request',
    id: 1,
    method: 'm',
    params: undefined,
  });
});

test('`parseFrame()` classifies a message without an id member as a notification', () => {
  assert.deepEqual(single('{"jsonrpc":"2.0","method":"notifications/initialized"}'), {
    kind: 'notification',
    method: 'notifications/initialized',
    params: undefined,
  });
  assert.deepEqual(single('{"jsonrpc":"2.0","method":"n","params":{}}'), {
    kind: 'notification',
    method: 'n',
    params: {},
  });
});

test('`parseFrame()` classifies responses with a result or an error', () => {
  assert.deepEqual(single('{"jsonrpc":"2.0","id":5,"result":{"roots":[]}}'), {
    kind: 'response',
    id: 5,
    result: { roots: [] },
    error: undefined,
  });
  const e = single('{"jsonrpc":"2.0","id":"s1","error":{"code":-32601,"message":"no"}}');
  assert.equal(e.kind, 'response');
  assert.deepEqual(e.kind === 'response' && e.error, { code: -32601, message: 'no' });
  const nullResult = single('{"jsonrpc":"2.0","id":5,"result":null}');
  assert.equal(nullResult.kind, 'response');
});

test('`parseFrame()` refuses a response without a usable id, and never yields id null', () => {
  assertInvalid('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}', undefined);
  assertInvalid('{"jsonrpc":"2.0","result":{}}', undefined, /method/);
  assertInvalid('{"jsonrpc":"2.0","id":3}', 3, /method is missing/);
});

test('`parseFrame()` refuses a wrong or missing jsonrpc member, keeping a readable id', () => {
  assertInvalid('{"id":1,"method":"ping"}', 1, /jsonrpc/);
  assertInvalid('{"jsonrpc":"1.0","id":"a","method":"ping"}', 'a', /jsonrpc/);
  assertInvalid('{"jsonrpc":2.0,"id":2,"method":"ping"}', 2, /jsonrpc/);
  assertInvalid('{"jsonrpc":"2.0 ","id":2,"method":"ping"}', 2, /jsonrpc/);
});

test('`parseFrame()` refuses a method that is not a non-empty string of at most 128 characters', () => {
  assertInvalid('{"jsonrpc":"2.0","id":1,"method":5}', 1, /method/);
  assertInvalid('{"jsonrpc":"2.0","id":1,"method":""}', 1, /method/);
  assertInvalid('{"jsonrpc":"2.0","id":1,"method":null}', 1, /method/);
  assertInvalid('{"jsonrpc":"2.0","id":1,"method":["ping"]}', 1, /method/);
  assertInvalid(`{"jsonrpc":"2.0","id":1,"method":"${'m'.repeat(129)}"}`, 1, /method/);
  assert.equal(single(`{"jsonrpc":"2.0","id":1,"method":"${'m'.repeat(128)}"}`).kind, 'request');
});

test('`parseFrame()` treats prototype-named methods as plain data', () => {
  for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assert.deepEqual(single(`{"jsonrpc":"2.0","id":1,"method":"${method}"}`), {
      kind: 'request',
      id: 1,
      method,
      params: undefined,
    });
  }
});

test('`parseFrame()` refuses params that are not an object', () => {
  for (const p of ['[]', '[1,2]', 'null', '"x"', '3', 'true']) {
    assertInvalid(`{"jsonrpc":"2.0","id":9,"method":"m","params":${p}}`, 9, /params/);
    assertInvalid(`{"jsonrpc":"2.0","method":"n","params":${p}}`, undefined, /params/);
  }
});

test('`parseFrame()` refuses ids that are null, fractional, unsafe, huge, boolean, objects or long strings', () => {
  const bad = [
    'null',
    '1.5',
    '-0.1',
    '9007199254740992',
    '1e308',
    '-1e308',
    'true',
    '{}',
    '[1]',
    `"${'i'.repeat(257)}"`,
  ];
  for (const id of bad) {
    const m = single(`{"jsonrpc":"2.0","id":${id},"method":"m"}`);
    assert.equal(m.kind, 'invalid', `id ${id.slice(0, 20)} must be refused`);
    assert.equal(m.kind === 'invalid' && m.id, undefined, 'an unreadable id is never echoed (never null)');
  }
  assert.equal(single('{"jsonrpc":"2.0","id":9007199254740991,"method":"m"}').kind, 'request');
  assert.equal(single(`{"jsonrpc":"2.0","id":"${'i'.repeat(256)}","method":"m"}`).kind, 'request');
});

test('`classify()` refuses values that are not objects', () => {
  for (const v of [null, 1, 'x', true, [], [{}]]) {
    const m = classify(v);
    assert.equal(m.kind, 'invalid');
    assert.equal(m.kind === 'invalid' && m.id, undefined);
  }
});

test('`parseFrame()` reports text that is not JSON as unparseable', () => {
  for (const t of ['{', 'hello', '{"jsonrpc":"2.0",}', "{'a':1}", '{"a":1}{"b":2}', 'NaN']) {
    const f = parseFrame(t);
    assert.equal(f.kind, 'unparseable', t);
  }
});

test('`parseFrame()` accepts nesting up to 64 levels and refuses deeper nesting before parsing', () => {
  const nest = (n: number) =>
    '{"jsonrpc":"2.0","id":1,"method":"m","params":' + '{"a":'.repeat(n - 1) + '1' + '}'.repeat(n - 1) + '}';
  assert.equal(parseFrame(nest(64)).kind, 'single');
  const deep = parseFrame(nest(65));
  assert.equal(deep.kind, 'unparseable');
  assert.match(deep.kind === 'unparseable' ? deep.reason : '', /nesting deeper than 64/);
});

test('`parseFrame()` refuses 100,000-deep nesting without a stack overflow', () => {
  const text = '['.repeat(100_000) + ']'.repeat(100_000);
  const f = parseFrame(text);
  assert.equal(f.kind, 'unparseable');
  const unbalanced = '{"a":' + '['.repeat(100_000);
  assert.equal(parseFrame(unbalanced).kind, 'unparseable');
});

test('`nestingDepth()` ignores brackets inside strings, including after escaped quotes and backslashes', () => {
  assert.equal(nestingDepth('{"a":"[[[[{{{{"}', 10), 1);
  assert.equal(nestingDepth('{"a":"\\"[[[[","b":[1]}', 10), 2);
  assert.equal(nestingDepth('{"a":"\\\\","b":[[1]]}', 10), 3);
  assert.equal(nestingDepth('[[[[[[', 3), 4, 'stops early just past the limit');
  const inString = '{"jsonrpc":"2.0","id":1,"method":"m","params":{"q":"' + '['.repeat(1000) + '"}}';
  assert.equal(parseFrame(inString).kind, 'single');
});

test('`parseFrame()` splits a batch into classified messages, one per element', () => {
  const f = parseFrame(
    '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"},5,{"jsonrpc":"2.0","id":2}]',
  );
  assert.equal(f.kind, 'batch');
  if (f.kind !== 'batch') return;
  assert.deepEqual(f.messages.map((m) => m.kind), ['request', 'notification', 'invalid', 'invalid']);
  assert.equal(f.messages[3]?.kind === 'invalid' && f.messages[3].id, 2);
});

test('`parseFrame()` refuses an empty batch and a batch over 64 messages as one invalid message', () => {
  assertInvalid('[]', undefined, /empty batch/);
  const msg = '{"jsonrpc":"2.0","method":"n"}';
  const ok = parseFrame('[' + Array(64).fill(msg).join(',') + ']');
  assert.equal(ok.kind, 'batch');
  assert.equal(ok.kind === 'batch' && ok.messages.length, 64);
  assertInvalid('[' + Array(65).fill(msg).join(',') + ']', undefined, /batch larger than 64/);
});

test('`parseFrame()` treats a nested batch element as an invalid message', () => {
  const f = parseFrame('[[{"jsonrpc":"2.0","id":1,"method":"ping"}]]');
  assert.equal(f.kind, 'batch');
  assert.equal(f.kind === 'batch' && f.messages[0]?.kind, 'invalid');
});

test('`parseFrame()` keeps a `__proto__` params key as data without changing prototypes', () => {
  const m = single('{"jsonrpc":"2.0","id":1,"method":"m","params":{"__proto__":{"polluted":true}}}');
  assert.equal(m.kind, 'request');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
