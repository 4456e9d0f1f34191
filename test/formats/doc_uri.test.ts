// docs:// URIs: built with each segment percent-encoded, parsed back strictly (one decoding, no
// smuggled separator, no query or fragment, a root name the config could hold).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docUri, parseDocUri } from '../../src/formats/doc_uri.ts';

test('`docUri()` builds docs:// URIs with each segment percent-encoded', () => {
  assert.equal(docUri('docs', 'guide/install.md'), 'docs://docs/guide/install.md');
  assert.equal(docUri('docs', 'my dir/a#b?.md'), 'docs://docs/my%20dir/a%23b%3F.md');
  assert.equal(docUri('docs', 'é.md'), 'docs://docs/%C3%A9.md');
});

test('`parseDocUri()` reverses `docUri()`, including names beyond Latin-1', () => {
  for (const rel of ['guide/install.md', 'my dir/a#b?.md', '说明.md', '指南/安装 😀.md']) {
    assert.deepEqual(parseDocUri(docUri('docs', rel)), { root: 'docs', path: rel }, rel);
  }
});

test('`parseDocUri()` refuses other schemes, bad roots, queries, encoded slashes and broken escapes', () => {
  const bad = [
    'file:///etc/passwd',
    'docs://',
    'docs:///a.md',
    'docs://-x/a.md',
    'docs://a b/a.md',
    `docs://${'r'.repeat(33)}/a.md`,
    'docs://docs/a.md?x=1',
    'docs://docs/a.md#top',
    'docs://docs/..%2f..%2fetc/passwd',
    'docs://docs/%E0%A4%A',
    `docs://docs/${'a'.repeat(4100)}`,
  ];
  for (const uri of bad) assert.equal(parseDocUri(uri), null, uri);
  assert.deepEqual(
    parseDocUri('docs://docs/%2e%2e/x.md'),
    { root: 'docs', path: '../x.md' },
    'decoded once: the path rules refuse it next',
  );
});
