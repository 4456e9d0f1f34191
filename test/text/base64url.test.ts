// The shared base64url codec: any Unicode text round-trips, the output is the RFC 4648 section 5
// alphabet without padding (what Buffer calls 'base64url'), and anything else is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64Url, encodeBase64Url } from '../../src/text/base64url.ts';

const SAMPLES = [
  '',
  'a',
  'ab',
  'abc',
  'abcd',
  'é',
  'ÿ',
  '说明.md',
  '指南/安装.md',
  '😀 emoji',
  'ünïcødé 日本 😀\u0000\uffff',
  '{"t":"x"}',
];

test('every sample round-trips and matches the standard base64url encoding of its UTF-8 bytes', () => {
  for (const s of SAMPLES) {
    const encoded = encodeBase64Url(s);
    assert.equal(encoded, Buffer.from(s, 'utf8').toString('base64url'), JSON.stringify(s));
    assert.equal(decodeBase64Url(encoded), s, JSON.stringify(s));
  }
});

test('characters beyond Latin-1 (which btoa refuses) encode', () => {
  assert.throws(() => btoa('说明.md'));
  assert.match(encodeBase64Url('说明.md'), /^[A-Za-z0-9_-]+$/);
});

test('foreign characters, padding, an impossible length and bytes that are not UTF-8 are refused', () => {
  for (const bad of ['ab+c', 'ab/c', 'abc=', 'a b', 'abcde', '说明'])
    assert.throws(() => decodeBase64Url(bad), /not base64url/, bad);
  assert.throws(() => decodeBase64Url(Buffer.from([0xff, 0xfe]).toString('base64url')), TypeError);
});
