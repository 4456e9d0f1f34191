import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host } from '../../src/runtime/host.ts';
import { createMessageWriter, serializeLine } from '../../src/transport/writer.ts';

/** A host whose stdout accepts a write only when the test releases it (back-pressure). */
function slowStdout(): { host: Host; written: string[]; inProgress: () => number; releaseOne: () => void } {
  const written: string[] = [];
  const waiting: (() => void)[] = [];
  let inProgress = 0;
  const host = {
    writeStdout(text: string): Promise<void> {
      inProgress++;
      written.push(text);
      return new Promise<void>((resolve) =>
        waiting.push(() => {
          inProgress--;
          resolve();
        })
      );
    },
  } as unknown as Host;
  return { host, written, inProgress: () => inProgress, releaseOne: () => waiting.shift()?.() };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

test('`serializeLine()` writes one JSON line ending in a single newline', () => {
  const line = serializeLine({ jsonrpc: '2.0', id: 1, result: { text: 'a\nb\r\nc' } });
  assert.equal(line.endsWith('\n'), true);
  assert.equal(line.indexOf('\n'), line.length - 1, 'no raw newline inside the line');
  assert.deepEqual(JSON.parse(line), { jsonrpc: '2.0', id: 1, result: { text: 'a\nb\r\nc' } });
});

test('`serializeLine()` escapes U+2028 and U+2029 and the result still parses to the same value', () => {
  const value = { s: 'x\u2028y\u2029z' };
  const line = serializeLine(value);
  assert.equal(/[\u2028\u2029]/.test(line), false);
  assert.match(line, /\\u2028/);
  assert.match(line, /\\u2029/);
  assert.deepEqual(JSON.parse(line), value);
});

test('`createMessageWriter()` keeps order and waits for each write to be accepted before the next', async () => {
  const s = slowStdout();
  const w = createMessageWriter(s.host);
  w.send({ n: 1 });
  w.send({ n: 2 });
  w.send({ n: 3 });
  assert.equal(w.pending(), 3);
  await tick();
  assert.equal(s.written.length, 1, 'the second line waits for the first to drain');
  assert.equal(s.inProgress(), 1);
  s.releaseOne();
  await tick();
  assert.equal(s.written.length, 2);
  s.releaseOne();
  await tick();
  s.releaseOne();
  await w.flushed();
  assert.equal(w.pending(), 0);
  assert.deepEqual(s.written.map((l) => JSON.parse(l)), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.ok(s.written.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
});

test('`createMessageWriter()` `flushed()` resolves only after every queued line was handed over', async () => {
  const s = slowStdout();
  const w = createMessageWriter(s.host);
  w.send({ a: 1 });
  let done = false;
  void w.flushed().then(() => {
    done = true;
  });
  await tick();
  assert.equal(done, false);
  s.releaseOne();
  await tick();
  await tick();
  assert.equal(done, true);
});

test('`createMessageWriter()` serialises at send time, so later mutation of the message does not leak out', async () => {
  const s = slowStdout();
  const w = createMessageWriter(s.host);
  const msg = { v: 'before' };
  w.send(msg);
  msg.v = 'after';
  await tick();
  s.releaseOne();
  await w.flushed();
  assert.deepEqual(JSON.parse(s.written[0] ?? 'null'), { v: 'before' });
});
