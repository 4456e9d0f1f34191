import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineReader, type Frame } from '../../src/transport/line_reader.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function collect(max: number): { frames: Frame[]; push: (s: string | Uint8Array) => void; end: () => void } {
  const frames: Frame[] = [];
  const r = createLineReader(max, (f) => frames.push(f));
  return { frames, push: (s) => r.push(typeof s === 'string' ? enc(s) : s), end: r.end };
}

const lines = (frames: readonly Frame[]) => frames.map((f) => (f.kind === 'line' ? f.text : `<${f.kind}>`));

test('`createLineReader()` emits one line per newline when several lines arrive in one chunk', () => {
  const c = collect(1024);
  c.push('{"a":1}\n{"b":2}\n{"c":3}\n');
  assert.deepEqual(lines(c.frames), ['{"a":1}', '{"b":2}', '{"c":3}']);
});

test('`createLineReader()` joins a line split across many chunks, including byte by byte', () => {
  const c = collect(1024);
  const msg = '{"jsonrpc":"2.0","method":"ping","id":1}\n';
  for (const ch of msg) c.push(ch);
  c.push('{"x"');
  c.push(':2}\n{"y":');
  assert.deepEqual(lines(c.frames), ['{"jsonrpc":"2.0","method":"ping","id":1}', '{"x":2}']);
  c.push('3}\n');
  assert.deepEqual(lines(c.frames).at(-1), '{"y":3}');
});

test('`createLineReader()` decodes a multi-byte character split between chunks', () => {
  const c = collect(1024);
  const bytes = enc('"héllo 😀"\n');
  for (let i = 0; i < bytes.length; i++) c.push(bytes.subarray(i, i + 1));
  assert.deepEqual(lines(c.frames), ['"héllo 😀"']);
});

test('`createLineReader()` strips one trailing CR, also when the CR and LF arrive in different chunks', () => {
  const c = collect(1024);
  c.push('a\r\nb\r');
  c.push('\nc\r\r\n');
  assert.deepEqual(lines(c.frames), ['a', 'b', 'c\r']);
});

test('`createLineReader()` does not split on a lone CR', () => {
  const c = collect(1024);
  c.push('x\ry\n');
  assert.deepEqual(lines(c.frames), ['x\ry']);
});

test('`createLineReader()` skips blank lines and CRLF-only lines', () => {
  const c = collect(1024);
  c.push('\n\n\r\n1\n\n2\n');
  assert.deepEqual(lines(c.frames), ['1', '2']);
});

test('`createLineReader()` accepts a line of exactly the cap and drops one byte more', () => {
  const c = collect(10);
  c.push('0123456789\n');
  c.push('0123456789A\n');
  c.push('ok\n');
  assert.deepEqual(lines(c.frames), ['0123456789', '<oversize>', 'ok']);
  const o = c.frames[1];
  assert.ok(o && o.kind === 'oversize');
  assert.equal(o.bytes, 11);
});

test('`createLineReader()` drops an oversize line with its byte count and head, then delivers the next line', () => {
  const c = collect(1024);
  const big = '{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"q":"' + 'x'.repeat(5000) + '"}}';
  c.push(big.slice(0, 700));
  c.push(big.slice(700, 3000));
  c.push(big.slice(3000) + '\n{"next":true}\n');
  assert.equal(c.frames.length, 2);
  const o = c.frames[0];
  assert.ok(o && o.kind === 'oversize');
  assert.equal(o.bytes, big.length);
  assert.equal(o.head.length, 512);
  assert.equal(new TextDecoder().decode(o.head), big.slice(0, 512));
  assert.deepEqual(lines(c.frames.slice(1)), ['{"next":true}']);
});

test('`createLineReader()` reports bad UTF-8 as its own frame and keeps reading', () => {
  const c = collect(1024);
  c.push(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])); // invalid byte
  c.push(new Uint8Array([0xc0, 0xaf, 0x0a])); // overlong "/"
  c.push(new Uint8Array([0xed, 0xa0, 0x80, 0x0a])); // encoded surrogate
  c.push(new Uint8Array([0xe2, 0x82, 0x0a])); // truncated sequence
  c.push('fine\n');
  assert.deepEqual(lines(c.frames), ['<bad_utf8>', '<bad_utf8>', '<bad_utf8>', '<bad_utf8>', 'fine']);
});

test('`createLineReader()` delivers a final line without newline on `end()`', () => {
  const c = collect(1024);
  c.push('first\nlast');
  assert.deepEqual(lines(c.frames), ['first']);
  c.end();
  assert.deepEqual(lines(c.frames), ['first', 'last']);
});

test('`createLineReader()` emits nothing on `end()` after a complete line', () => {
  const c = collect(1024);
  c.push('only\n');
  c.end();
  assert.deepEqual(lines(c.frames), ['only']);
});

test('`createLineReader()` reports an unterminated oversize line on `end()`', () => {
  const c = collect(16);
  c.push('x'.repeat(40));
  assert.equal(c.frames.length, 0);
  c.end();
  const o = c.frames[0];
  assert.ok(o && o.kind === 'oversize');
  assert.equal(o.bytes, 40);
});

test('`createLineReader()` copies chunk bytes, so a reused input buffer does not corrupt a held line', () => {
  const c = collect(1024);
  const buf = enc('abc');
  c.push(buf);
  buf.set(enc('XYZ'));
  c.push('\n');
  assert.deepEqual(lines(c.frames), ['abc']);
});

test('a 20 MB line fed in 64 KB chunks is dropped without the reader holding more than the cap', () => {
  const cap = 1024 * 1024;
  const frames: Frame[] = [];
  const r = createLineReader(cap, (f) => frames.push(f));
  const chunk = new Uint8Array(64 * 1024).fill(0x61); // reused: the test itself allocates nothing per chunk
  chunk.set(enc('{"id":7,"x":"'));
  const total = 20 * 1024 * 1024;
  const before = process.memoryUsage().arrayBuffers;
  let peak = 0;
  for (let fed = 0; fed < total; fed += chunk.length) {
    r.push(chunk);
    if (fed % (1024 * 1024) === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    if (fed === 0) chunk.fill(0x61);
  }
  assert.equal(frames.length, 0, 'nothing is emitted before the line ends');
  r.push(enc('"}\n{"after":1}\n'));
  assert.equal(frames.length, 2);
  const o = frames[0];
  assert.ok(o && o.kind === 'oversize');
  assert.equal(o.bytes, total + 2);
  assert.equal(o.head.length, 512);
  assert.equal(new TextDecoder().decode(o.head.subarray(0, 13)), '{"id":7,"x":"');
  assert.deepEqual(lines(frames.slice(1)), ['{"after":1}']);
  // Loose bound: the reader may hold up to the cap (1 MB) plus garbage not yet collected, never the 20 MB.
  assert.ok(peak < 8 * 1024 * 1024, `array buffers grew by ${peak} bytes while reading a 20 MB line`);
});
