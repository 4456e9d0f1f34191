import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from '../../src/policy/glob.ts';
import { foldName } from '../../src/policy/path_rules.ts';

/** With `fold`, the pattern's literals and the tested names are folded as the deny and consent rules fold them. */
function check(pattern: string, yes: readonly string[], no: readonly string[], fold = false): void {
  const glob = compileGlob(pattern, fold ? { fold: foldName } : {});
  const f = fold ? foldName : (s: string) => s;
  for (const p of yes) assert.equal(glob.matches(f(p)), true, `${pattern} should match ${p}`);
  for (const p of no) assert.equal(glob.matches(f(p)), false, `${pattern} should not match ${p}`);
}

test('`compileGlob()` matches the basename when the pattern has no slash', () => {
  check('*.md', ['a.md', 'a/b/c.md', '.md'], ['a.mdx', 'a.md/b.txt', 'md']);
  check('README', ['README', 'docs/README'], ['README.md', 'docs/READMEX']);
});

test('`compileGlob()` matches the whole path when the pattern has a slash', () => {
  check('docs/*.md', ['docs/a.md'], ['docs/x/a.md', 'a/docs/a.md', 'a.md']);
  check('/top.md', ['top.md'], ['a/top.md']);
});

test('`compileGlob()` keeps `*` and `?` inside one segment', () => {
  check('a/*', ['a/b', 'a/'], ['a/b/c', 'a']);
  check('a/?.md', ['a/x.md', 'a/é.md'], ['a/xy.md', 'a/.md', 'a//.md']);
  check('a*b/c', ['ab/c', 'axxb/c'], ['a/b/c', 'ab/d/c']);
  check('?', ['x', 'dir/y'], ['xy']);
  check('x/?', ['x/😀'], ['x/ab']); // `?` is one code point, not one UTF-16 unit
});

test('`compileGlob()` treats `**` as zero or more whole segments', () => {
  check('**/x.md', ['x.md', 'a/x.md', 'a/b/c/x.md'], ['ax.md', 'a/bx.md', 'x.mdx']);
  check('a/**', ['a/b', 'a/b/c/d.md'], ['a', 'b/a/c', 'ab/c']);
  check('a/**/b.md', ['a/b.md', 'a/x/b.md', 'a/x/y/b.md'], ['a/xb.md', 'b.md', 'a/x/yb.md']);
  check('**', ['a', 'a/b/c'], []);
  check('docs/**/*.md', ['docs/a.md', 'docs/x/y/a.md'], ['docs/a.txt', 'other/a.md']);
});

test('`compileGlob()` treats `**` inside a segment like `*`', () => {
  check('a/x**.md', ['a/x.md', 'a/xyz.md'], ['a/x/y.md']);
  check('a**/b', ['a/b', 'abc/b'], ['a/c/b']);
});

test('`compileGlob()` supports brace alternation, nested and with glob syntax inside', () => {
  check('*.{md,rst,adoc}', ['a.md', 'x/b.rst', 'c.adoc'], ['d.txt', 'e.mdx', 'f.']);
  check('{docs,guide}/*.md', ['docs/a.md', 'guide/b.md'], ['other/a.md', 'docs/x/a.md']);
  check('a.{m{d,dx},r?t}', ['a.md', 'a.mdx', 'a.rst', 'a.rxt'], ['a.m', 'a.mdxx', 'a.rt']);
  check('{**/x,y}.md', ['x.md', 'a/b/x.md', 'y.md'], ['a/y.md']);
  check('a{,b}.md', ['a.md', 'ab.md'], ['abb.md']);
  check('{a}', ['a'], ['b']);
});

test('`compileGlob()` supports character classes that never match a slash', () => {
  check('[abc].md', ['a.md', 'c.md'], ['d.md', 'ab.md']);
  check('file[0-9].txt', ['file0.txt', 'file9.txt'], ['filea.txt', 'file10.txt']);
  check('[!a-c]x', ['dx', 'zx'], ['ax', 'cx']);
  check('[^a-c]x', ['dx'], ['bx']);
  check('a[/]b', [], ['a/b']);
  check('a[!x]b', ['a-b'], ['a/b']);
  check('[]]', [']'], ['a']);
  check('[a-]', ['a', '-'], ['b']);
  check('[\\]]x', [']x'], ['\\x']);
});

test('`compileGlob()` treats a backslash as an escape', () => {
  check('\\*.md', ['*.md'], ['a.md']);
  check('a\\{b,c\\}', ['a{b,c}'], ['ab']);
  check('\\[x]', ['[x]'], ['x']);
});

test('`compileGlob()` escapes regex metacharacters in literals', () => {
  check('a+b(c)|d.$^', ['a+b(c)|d.$^'], ['aab(c)|dx$^', 'd.$^']);
});

test('`compileGlob()` is case-sensitive by default and folds case when asked', () => {
  check('*.MD', ['A.MD'], ['a.md']);
  check('*.MD', ['a.md', 'A.Md'], ['a.mdx'], true);
  check('Docs/[a-c]*', ['docs/Apple', 'DOCS/b'], ['docs/d'], true);
  check('[!A]', ['b'], ['a', 'A'], true);
});

test('`compileGlob()` rejects invalid patterns with a "Cannot compile glob" message', () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ['', /^Cannot compile glob: pattern is empty$/],
    ['/', /^Cannot compile glob: pattern is empty$/],
    ['x'.repeat(513), /^Cannot compile glob: pattern is longer than 512 characters$/],
    ['a\u0000b', /^Cannot compile glob: pattern contains a control character$/],
    ['a\nb', /^Cannot compile glob: pattern contains a control character$/],
    ['a\u007fb', /^Cannot compile glob: pattern contains a control character$/],
    ['a\\', /^Cannot compile glob: pattern ends with a backslash$/],
    ['[abc', /^Cannot compile glob: unclosed "\["$/],
    ['[!]', /^Cannot compile glob: unclosed "\["$/],
    ['{a,b', /^Cannot compile glob: unclosed "\{"$/],
    ['a}b', /^Cannot compile glob: unbalanced "\}"$/],
    ['[z-a]', /^Cannot compile glob: reversed range in character class$/],
    ['{{{{a}}}}', /^Cannot compile glob: braces nested deeper than 3$/],
    [
      `{${Array.from({ length: 33 }, (_, k) => `a${k}`).join(',')}}`,
      /^Cannot compile glob: more than 32 brace alternatives$/,
    ],
    ['{a,b}'.repeat(17), /^Cannot compile glob: more than 32 brace alternatives$/],
  ];
  for (const [pattern, message] of cases) {
    assert.throws(
      () => compileGlob(pattern),
      (e: unknown) => e instanceof Error && message.test(e.message),
      JSON.stringify(pattern),
    );
  }
});

test('`compileGlob()` accepts patterns at the limits', () => {
  assert.equal(compileGlob('x'.repeat(512)).matches('x'.repeat(512)), true);
  assert.equal(compileGlob('{{{a}}}').matches('a'), true);
  assert.equal(compileGlob('{a,b}'.repeat(16)).matches('ab'.repeat(8)), true);
});

// Without a clock: a backtracking matcher needs about C(1000, 9) steps here and never finishes (the
// runner's hang guard reports it); a linear one answers at once.
test('`compileGlob()` matches pathological patterns in linear time', () => {
  const name = 'a'.repeat(1000);
  const globs = [
    compileGlob('*a*a*a*a*a*a*a*a*a*b'),
    compileGlob('**/*a*a*a*a*a*a*a*a*a*b'),
    compileGlob('{*a,*a*}{*a,*a*}{*a,*a*}{*a,*a*}b'),
    compileGlob('*a*a*a*a*a*a*a*a*a*b', { fold: foldName }),
  ];
  const deep = `${'a/'.repeat(500)}a`;
  for (const g of globs) assert.equal(g.matches(name), false);
  assert.equal(compileGlob('**/a/**/a/**/a/**/a/**/b').matches(deep), false);
  assert.equal(compileGlob('*a*a*a*a*a*a*a*a*a*a').matches(name), true);
});

test('`compileGlob()` skips the NFA only when an ASCII name lacks the literal run a match needs', () => {
  check('*[-_.]credentials*', ['my-credentials.txt', 'a/b/x.CREDENTIALS'], ['credentials', 'x-credential'], true);
  check('*[-_.]Credentials*', ['x.Credentials'], ['x.credentials'], false);
  // Whole-text lower-casing writes a final sigma ("ΑΣ1" -> "ας1"); character by character Σ is σ, as the NFA sees it.
  check('*σ[0-9]', ['ΑΣ1'], ['ΑΒ1'], true);
  // Star-literal globs reuse the last name they lower-cased: the same path under another fold is not reused.
  check('*.MD', ['a.MD'], ['a.md'], false);
  check('*.md', ['a.MD', 'a.md'], ['a.mdx'], true);
});

// Outside attack (sbe19): a folded rule's class folded only its range's ends, so `[A-z]` became `[a-z]` and missed
// "_" (0x5F, inside A-z as written): files.deny ["[A-z]budget*"] served _budget.md. The range as written counts too.
test('a class range folded for a case-blind rule keeps the characters it spans as written', () => {
  const g = compileGlob('[A-z]budget*', { fold: foldName });
  for (const name of ['_budget.md', 'abudget.md', 'zbudget.md', '^budget.md'])
    assert.ok(g.matches(foldName(name)), name);
  assert.equal(g.matches(foldName('0budget.md')), false, 'a digit is outside A-z');
  const not = compileGlob('[!A-z]x', { fold: foldName });
  assert.equal(not.matches('_x'), false, '"_" is in A-z, so the negated class refuses it');
  assert.ok(not.matches('0x'));
});
