import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DENY, DEFAULT_EXTENSIONS } from '../../src/config/schema.ts';
import {
  createPathRules,
  denyGlob,
  extensionAllowed,
  extensionOf,
  isPathProblem,
  MAX_PATH_CHARS,
  MAX_SEGMENT_CHARS,
  MAX_SEGMENTS,
  relPathAllowed,
  segmentAllowed,
  splitRequestPath,
} from '../../src/policy/path_rules.ts';

const RULES = createPathRules([...DEFAULT_EXTENSIONS], [...DEFAULT_DENY], false);
const HIDDEN_OK = createPathRules([...DEFAULT_EXTENSIONS], [...DEFAULT_DENY], true);

function problem(raw: string): string {
  const r = splitRequestPath(raw);
  assert.ok(isPathProblem(r), `${JSON.stringify(raw.slice(0, 60))} must be refused, got ${JSON.stringify(r)}`);
  return r.problem;
}

test('`splitRequestPath()` splits a clean relative path into segments', () => {
  assert.deepEqual(splitRequestPath('guide/install.md'), ['guide', 'install.md']);
  assert.deepEqual(splitRequestPath('a.md'), ['a.md']);
  assert.deepEqual(splitRequestPath('my docs/é.md'), ['my docs', 'é.md']);
});

test('`splitRequestPath()` maps "", "." and "/" to the root', () => {
  for (const r of ['', '.', '/']) assert.deepEqual(splitRequestPath(r), []);
});

test('`splitRequestPath()` refuses every spelling of ".." and "."', () => {
  for (
    const raw of [
      '..',
      '../x.md',
      'a/../b.md',
      'a/..',
      './a.md',
      'a/./b.md',
      'sub/../.env',
      './.env',
      '../docs-evil/secret.md',
    ]
  ) {
    assert.match(problem(raw), /"\." or "\.\." segments/);
  }
});

test('`splitRequestPath()` refuses backslashes, URL encoding, colons and absolute paths', () => {
  assert.match(problem('..\\etc\\passwd'), /not "\\"/);
  assert.match(problem('a\\b.md'), /not "\\"/);
  for (const raw of ['%2e%2e%2fetc', '%252e%252e/x', 'a%00.md', '%c0%ae%c0%ae/x'])
    assert.match(problem(raw), /URL-encoded/);
  for (const raw of ['C:/Windows/x.md', 'file:///etc/passwd', 'docs://docs/a.md', 'a.md:stream', 'c:x.md'])
    assert.match(problem(raw), /":"/);
  for (const raw of ['/etc/passwd', '//server/share/x.md', '~/.ssh/id_rsa', '~root/x'])
    assert.match(problem(raw), /leading "\/" or "~"/);
});

test('`splitRequestPath()` refuses control, invisible and bidi characters', () => {
  const chars = [
    '\u0000',
    '\u0001',
    '\n',
    '\r',
    '\t',
    '\u001b',
    '\u007f',
    '\u0085',
    '\u009b',
    '\u2028',
    '\u2029',
    '\u200b',
    '\u200d',
    '\u200e',
    '\u202e',
    '\u2066',
    '\ufeff',
    '\u061c',
  ];
  for (const ch of chars)
    assert.match(problem(`a${ch}b.md`), /control, invisible or bidi/, `U+${ch.charCodeAt(0).toString(16)}`);
});

test('`splitRequestPath()` refuses empty segments, trailing dots and spaces and reserved device names', () => {
  for (const raw of ['a//b.md', 'a/', 'a.md/']) assert.match(problem(raw), /empty segment/);
  for (const raw of ['a./b.md', 'notes.md.', 'notes.md ', 'dir /x.md'])
    assert.match(problem(raw), /end in "\." or a space/);
  for (const raw of ['con', 'NUL.md', 'com1.txt', 'lpt9/x.md', 'aux.tar.gz', 'COM¹.md'])
    assert.match(problem(raw), /reserved device name/);
  assert.deepEqual(splitRequestPath('console.md'), ['console.md']);
});

test('`splitRequestPath()` caps total length, segment count and segment length at the exact limits', () => {
  const seg = 'a'.repeat(MAX_SEGMENT_CHARS);
  assert.deepEqual(splitRequestPath(seg), [seg]);
  assert.match(problem('a'.repeat(MAX_SEGMENT_CHARS + 1)), /segment is longer than 255/);
  const many = Array(MAX_SEGMENTS).fill('d').join('/');
  assert.equal((splitRequestPath(many) as string[]).length, MAX_SEGMENTS);
  assert.match(problem(many + '/d'), /more than 64 segments/);
  const long = 'a/'.repeat(300) + 'x'.repeat(MAX_PATH_CHARS - 600);
  assert.equal(long.length, MAX_PATH_CHARS);
  assert.match(problem(long + 'x'), /longer than 1024 characters/);
});

test('`splitRequestPath()` normalises to NFC but never NFKC (full-width dots stay one harmless name)', () => {
  assert.deepEqual(splitRequestPath('e\u0301.md'), ['\u00e9.md']);
  assert.deepEqual(splitRequestPath('\uff0e\uff0e\uff0fetc\uff0fpasswd'), ['\uff0e\uff0e\uff0fetc\uff0fpasswd']);
  assert.deepEqual(splitRequestPath('\u2024\u2024/x.md'), ['\u2024\u2024', 'x.md']);
});

test('`segmentAllowed()` refuses the default secret names case-insensitively', () => {
  const secrets = [
    '.env',
    '.ENV',
    '.env.local',
    'prod.env',
    '.git',
    '.GIT',
    '.ssh',
    '.aws',
    'id_rsa',
    'id_rsa.pub',
    'ID_ED25519',
    'server.pem',
    'tls.KEY',
    'cert.p12',
    '.npmrc',
    '.netrc',
    '_netrc',
    '.pgpass',
    'credentials',
    'credentials.md',
    'Credentials.txt',
    'secret',
    'SECRETS.md',
    'secret.yaml',
    'app.secret',
    'terraform.tfstate',
    'known_hosts',
    'authorized_keys',
    '.git-credentials',
    '.htpasswd',
  ];
  for (const name of secrets) {
    assert.equal(segmentAllowed(RULES, name), false, name);
    assert.equal(segmentAllowed(HIDDEN_OK, name), false, `${name} stays denied when hidden files are allowed`);
  }
});

test('`segmentAllowed()` hides dot-names unless hidden files are allowed', () => {
  assert.equal(segmentAllowed(RULES, '.hidden.md'), false);
  assert.equal(segmentAllowed(HIDDEN_OK, '.hidden.md'), true);
  assert.equal(segmentAllowed(RULES, 'visible.md'), true);
  assert.equal(segmentAllowed(RULES, 'guide'), true);
});

test('`segmentAllowed()` refuses names that could not be requested exactly', () => {
  for (
    const name of [
      '',
      '.',
      '..',
      'a\\b',
      'a:b',
      'a%2e',
      'x\u001b[31m.md',
      'trail.',
      'trail ',
      'con',
      'e\u0301.md',
      'x'.repeat(256),
    ]
  ) {
    assert.equal(segmentAllowed(HIDDEN_OK, name), false, JSON.stringify(name.slice(0, 20)));
  }
  assert.equal(segmentAllowed(HIDDEN_OK, '\u00e9.md'), true);
});

test('`relPathAllowed()` applies deny globs with a slash to the whole relative path', () => {
  const rules = createPathRules(['md'], ['drafts/**', 'private/*.md'], false);
  assert.equal(relPathAllowed(rules, 'drafts/a.md'), false);
  assert.equal(relPathAllowed(rules, 'DRAFTS/x/y.md'), false);
  assert.equal(relPathAllowed(rules, 'private/p.md'), false);
  assert.equal(relPathAllowed(rules, 'private/sub/p.md'), true);
  assert.equal(relPathAllowed(rules, 'public/a.md'), true);
  assert.equal(segmentAllowed(rules, 'drafts'), true, 'a slash glob does not hide a same-named segment elsewhere');
});

test('`extensionOf()` takes the last extension, lower-cased, and none for dot-files or bare names', () => {
  assert.equal(extensionOf('a.MD'), 'md');
  assert.equal(extensionOf('archive.tar.gz'), 'gz');
  assert.equal(extensionOf('Makefile'), '');
  assert.equal(extensionOf('.md'), '');
  assert.equal(extensionOf('x.'), '');
});

test('`extensionAllowed()` serves only allowlisted extensions', () => {
  for (const n of ['a.md', 'B.MD', 'c.rst', 'd.adoc', 'e.txt', 'f.html', 'g.yaml'])
    assert.equal(extensionAllowed(RULES, n), true, n);
  for (const n of ['a.png', 'b.exe', 'c.js', 'Makefile', 'd.md.bak', '.md', 'e.sqlite', 'f.pdf'])
    assert.equal(extensionAllowed(RULES, n), false, n);
});

test('`relPathAllowed()` tests the folders above a path too: a rule naming a folder hides what is in it', () => {
  for (const rule of ['docs/internal', 'docs/internal/', '**/internal']) {
    const rules = createPathRules(['md'], [rule], false);
    for (const rel of ['docs/internal', 'docs/internal/x.md', 'docs/internal/sub/y.md']) {
      assert.equal(relPathAllowed(rules, rel), false, `${rule} hides ${rel}`);
    }
    assert.equal(relPathAllowed(rules, 'docs/internals.md'), true, `${rule} names the folder only`);
  }
});

test('`segmentAllowed()` folds final sigma and refuses a name whose folding writes a "/"', () => {
  const greek = createPathRules(['md'], ['κωδικός*'], false);
  assert.equal(segmentAllowed(greek, 'κωδικός.md'), false, 'ς before "*" and σ before "." fold alike');
  assert.equal(segmentAllowed(greek, 'ΚΩΔΙΚΌΣ.md'), false);
  for (const name of ['credentials／prod.md', 'id_rsa℅notes.md', 'plan-℅.md', 'a／b.md']) {
    assert.equal(segmentAllowed(RULES, name), false, name);
  }
});

test('`denyGlob()`: "./x" is anchored at the root, a trailing "/" names the folder, `dir/**` also denies dir', () => {
  assert.equal(denyGlob('./internal'), '/internal');
  assert.equal(denyGlob('docs/internal/'), 'docs/internal');
  assert.equal(relPathAllowed(createPathRules(['md'], ['drafts/**'], false), 'drafts', true), false);
  assert.equal(relPathAllowed(createPathRules(['md'], ['drafts/**'], false), 'sub/drafts'), true);
  const rules = createPathRules(['md'], ['./internal'], false);
  assert.equal(relPathAllowed(rules, 'internal/x.md'), false);
  assert.equal(relPathAllowed(rules, 'sub/internal/x.md'), true, 'anchored: another folder of that name is served');
});

test('`createPathRules()` reads a rule folded and with repeated "/" collapsed: no spelling is silently inert', () => {
  assert.equal(denyGlob('.//x'), '/x');
  const rules = createPathRules(['md'], ['.//x', 'plans／**'], false);
  for (const rel of ['x/g.md', 'plans/f.md', 'plans']) assert.equal(relPathAllowed(rules, rel, true), false, rel);
  assert.equal(relPathAllowed(rules, 'a/x/g.md'), true, '"./" anchors at the root');
});

test('`denyGlob()` collapses "/./" too: `private/./sub/plan.md` names the file it spells', () => {
  assert.equal(denyGlob('private/./sub/plan.md'), 'private/sub/plan.md');
  assert.equal(relPathAllowed(createPathRules(['md'], ['private/./sub/plan.md'], false), 'private/sub/plan.md'), false);
});

test('`denyGlob()` reads a trailing "/." as the folder itself', () => {
  assert.equal(denyGlob('b/c/drafts/.'), 'b/c/drafts');
  assert.equal(relPathAllowed(createPathRules(['md'], ['b/c/drafts/.'], false), 'b/c/drafts/z.md'), false);
});

// Outside attack (sbe17): `dir/**/**`, `dir/***` and `{dir/**,x}` denied all of dir but listed it as an empty folder.
test('a rule that denies every entry of a folder hides the folder too; one that denies part of it does not', () => {
  const hiding = ['dir/**', 'dir/**/**', 'dir/***', '{dir/**,x}', 'dir/{**,x}', 'dir/**/*', 'dir/*', './dir/**'];
  for (const rule of hiding) {
    const rules = createPathRules(['md'], [rule], false);
    for (const rel of ['dir', 'DIR', 'dir/a.md', 'dir/sub/b.md'])
      assert.equal(relPathAllowed(rules, rel, true), false, rule);
    assert.equal(relPathAllowed(rules, 'other/dir'), true, `${rule} names dir at the root only`);
    assert.equal(relPathAllowed(rules, 'dirt'), true, rule);
  }
  for (const rule of ['dir/*.md', 'dir/?', 'dir/*/*', 'dir/**/*.md', 'dir/[!x]*', 'dir/*/**', 'dir/{*.md,**/x}']) {
    const rules = createPathRules(['md'], [rule], false);
    assert.equal(relPathAllowed(rules, 'dir', true), true, `${rule} hides only part of dir`);
    assert.equal(relPathAllowed(rules, 'dir/xy.txt'), true, `${rule} serves a file it does not name`);
  }
});
