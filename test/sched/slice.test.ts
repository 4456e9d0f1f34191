// decodeInSlices: a file's bytes become text a slice at a time (a 24 MB file is not one blocking decode),
// with the same answers as one decode: characters split across slices whole, binary and bad UTF-8 refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInSlices, sha256InSlices } from '../../src/sched/slice.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';

const MIB = 1 << 20;

async function decode(bytes: Uint8Array): Promise<{ text: string | null; ticks: number }> {
  let ticks = 0;
  const text = await decodeInSlices(bytes, () => (ticks++, Promise.resolve()));
  return { text, ticks };
}

test('`decodeInSlices()` decodes 3.5 MiB in slices, a tick before each, characters across edges whole', async () => {
  const text = 'é'.repeat(MIB) + '€'.repeat(MIB / 2) + '\u{1F600}'.repeat(MIB / 8) + 'x\uFEFF';
  const bytes = new TextEncoder().encode(text);
  const { text: got, ticks } = await decode(bytes);
  assert.equal(got, text, 'as one decode, a U+FEFF inside kept');
  assert.ok(ticks >= Math.ceil(bytes.length / (MIB / 4)), `${ticks} ticks`);
  assert.equal((await decode(new TextEncoder().encode('\uFEFFtext'))).text, 'text', 'a leading BOM is dropped');
});

test('`decodeInSlices()` refuses NUL bytes and invalid or cut UTF-8 as not text; empty is empty', async () => {
  assert.equal((await decode(new Uint8Array([0x61, 0, 0x62]))).text, null);
  assert.equal((await decode(new Uint8Array([0x61, 0xff, 0x62]))).text, null);
  assert.equal((await decode(new Uint8Array([0x61, 0xe2, 0x82]))).text, null, 'a character cut at the end');
  assert.deepEqual(await decode(new Uint8Array()), { text: '', ticks: 0 });
});

test('`decodeInSlices()` lets a failing tick (the deadline) through rather than answering "not text"', async () => {
  const stop = new Error('deadline');
  await assert.rejects(decodeInSlices(new Uint8Array(3 * MIB).fill(0x61), () => Promise.reject(stop)), stop);
});

test('`sha256InSlices()` equals one SHA-256 of the UTF-8, a tick per half MiB, no pair cut at a slice edge', async () => {
  const host = createNodeHost();
  // A surrogate pair straddles the first MiB boundary: cut there, each half would hash as U+FFFD.
  const text = 'a'.repeat(MIB - 1) + '\u{1F600}'.repeat(MIB / 2) + 'é'.repeat(MIB);
  let ticks = 0;
  const got = await sha256InSlices(host, text, () => (ticks++, Promise.resolve()));
  assert.equal(got, host.sha256Hex(text));
  assert.ok(ticks >= 6, `${ticks} ticks`);
  const bytes = new TextEncoder().encode(text);
  assert.equal(await sha256InSlices(host, bytes, () => Promise.resolve()), host.sha256Hex(bytes));
  assert.equal(await sha256InSlices(host, '', () => Promise.resolve()), host.sha256Hex(''));
});
