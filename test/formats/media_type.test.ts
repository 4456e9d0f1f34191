import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTextMediaType, mediaTypeOf } from '../../src/formats/media_type.ts';
import { extensionOf } from '../../src/policy/path_rules.ts';

test('`mediaTypeOf()` maps every known extension, ignoring case and directories', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['a.md', 'text/markdown'],
    ['a.markdown', 'text/markdown'],
    ['a.mdx', 'text/markdown'],
    ['a.rst', 'text/x-rst'],
    ['a.adoc', 'text/asciidoc'],
    ['a.asciidoc', 'text/asciidoc'],
    ['a.txt', 'text/plain'],
    ['a.html', 'text/html'],
    ['a.htm', 'text/html'],
    ['a.json', 'application/json'],
    ['a.yaml', 'application/yaml'],
    ['a.yml', 'application/yaml'],
    ['a.toml', 'application/toml'],
    ['a.csv', 'text/csv'],
    ['a.svg', 'image/svg+xml'],
    ['a.png', 'image/png'],
    ['a.jpg', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.pdf', 'application/pdf'],
    ['a.xml', 'application/xml'],
    ['dir.d/GUIDE.MD', 'text/markdown'],
    ['x/y/archive.tar.gz', 'application/octet-stream'],
  ];
  for (const [path, type] of cases) assert.equal(mediaTypeOf(path), type, path);
});

test('`mediaTypeOf()` falls back to application/octet-stream when there is no known extension', () => {
  for (const path of ['README', '.md', 'docs.md/notes', 'a.', 'a.exe', 'a.toString', 'a.__proto__', 'a.constructor']) {
    assert.equal(mediaTypeOf(path), 'application/octet-stream', path);
  }
});

test('`extensionOf()` reads the last segment only and ignores dotfiles', () => {
  assert.equal(extensionOf('a/b.c/d.TXT'), 'txt');
  assert.equal(extensionOf('a/b.c/d'), '');
  assert.equal(extensionOf('.gitignore'), '');
  assert.equal(extensionOf('x/.env.local'), 'local');
});

test('`isTextMediaType()` accepts text types and the textual application types', () => {
  for (
    const mt of [
      'text/markdown',
      'text/plain; charset=utf-8',
      'TEXT/HTML',
      'application/json',
      'application/yaml',
      'application/toml',
      'application/xml',
      'image/svg+xml',
    ]
  ) {
    assert.equal(isTextMediaType(mt), true, mt);
  }
  for (
    const mt of [
      'image/png',
      'image/jpeg',
      'application/pdf',
      'application/octet-stream',
      'text/',
      'text',
      'application/jsonx',
      '',
    ]
  ) {
    assert.equal(isTextMediaType(mt), false, mt);
  }
});
