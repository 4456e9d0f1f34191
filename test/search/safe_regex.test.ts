// Tests for the linear-time regex engine: agreement with native RegExp where native is safe, the refused
// syntax and its messages, the required-literal prefilter, and ReDoS patterns that must finish quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSafeRegex, type RegexMatch } from '../../src/search/safe_regex.ts';

const CS = { caseSensitive: true } as const;
const CI = { caseSensitive: false } as const;

function show(line: string, m: RegexMatch | null): string {
  return m === null ? 'null' : `${m.index}:${JSON.stringify(line.slice(m.index, m.index + m.length))}`;
}
function nativeShow(pattern: string, line: string, caseSensitive: boolean): string {
  const m = new RegExp(pattern, caseSensitive ? '' : 'i').exec(line);
  return m === null ? 'null' : `${m.index}:${JSON.stringify(m[0])}`;
}
function run(pattern: string, line: string, caseSensitive = true): string {
  return show(line, compileSafeRegex(pattern, { caseSensitive }).exec(line));
}

// [pattern, input, caseSensitive]: every row is checked against JavaScript's own RegExp.
const NATIVE_TABLE: readonly (readonly [string, string, boolean])[] = [
  ['abc', 'xxabcxx', true],
  ['abc', 'ab ac abd', true],
  ['a.c', 'a-c abc', true],
  ['a.c', 'a\nc', true],
  ['colou?r', 'my colour and color', true],
  ['colou?r', 'my color', true],
  ['fo+', 'f fo foo', true],
  ['fo*', 'xfyfoo', true],
  ['a|b|c', 'zzcba', true],
  ['cat|category', 'category', true],
  ['category|cat', 'category', true],
  ['(a|ab)(c|bcd)(d*)', 'abcd', true],
  ['(?:ab)+', 'xabababy', true],
  ['(ab)+c', 'ababab ababc', true],
  ['x(ab|cd)*y', 'xabcdaby xy', true],
  ['a+?', 'aaa', true],
  ['a*?b', 'aaab', true],
  ['<.+>', '<a><b>', true],
  ['<.+?>', '<a><b>', true],
  ['a{3}', 'aa aaaa', true],
  ['a{2,}', 'a aaaaa', true],
  ['a{2,3}', 'aaaaa', true],
  ['(ab){2}', 'ab abab', true],
  ['\\d+', 'v12.345', true],
  ['\\D+', '123abc456', true],
  ['\\w+', '  hello_world2!', true],
  ['\\W+', 'abc, def', true],
  ['\\s+', 'a \t b', true],
  ['\\S+', '   xyz  ', true],
  ['[abc]+', 'xxcabz', true],
  ['[^a-z]+', 'abcDEF12gh', true],
  ['[a-cx-z]+', 'mmbxaz', true],
  ['[\\d_-]+', 'id: 12_3-4x', true],
  ['[.*+?]+', 'a+*?.b', true],
  ['[\\]]', 'a]b', true],
  ['[a-]+', 'x-a-b', true],
  ['\\bword\\b', 'swordfish word', true],
  ['\\Bord\\B', 'ord words', true],
  ['\\bfoo', 'afoo foo', true],
  ['^abc', 'abcabc', true],
  ['^abc', 'xabc', true],
  ['abc$', 'abcabc', true],
  ['abc$', 'abcx', true],
  ['^$', '', true],
  ['^a*$', 'aaa', true],
  ['\\.md$', 'guide/install.md', true],
  ['\\x41\\u0042', 'xxAB', true],
  ['\\t', 'a\tb', true],
  ['a\\*b', 'a*b', true],
  ['\\\\d', 'x\\dy', true],
  ['\\(\\d+\\)', 'f(42)', true],
  ['(?<year>\\d{4})-\\d{2}', 'on 2024-05-01', true],
  ['TODO|FIXME', 'see fixme and todo', false],
  ['hello', 'Say HELLO', false],
  ['[a-z]+', 'ABC def', false],
  ['[^a-z]+', 'ABC123', false],
  ['straße', 'STRAßE', false],
  ['été', 'ÉTÉ', false],
  ['\\bSELECT\\b', 'a select b', false],
  ['x{0}y', 'xy', true],
  ['a?b?c?', 'zabc', true],
  ['(foo|foobar)baz', 'foobarbaz', true],
  ['€+', 'price €€€', true],
];

test('`compileSafeRegex().exec()` agrees with native RegExp on index and text for a table of patterns', () => {
  assert.ok(NATIVE_TABLE.length >= 60);
  for (const [pattern, line, caseSensitive] of NATIVE_TABLE) {
    assert.equal(run(pattern, line, caseSensitive), nativeShow(pattern, line, caseSensitive), `${pattern} on ${line}`);
  }
});

test('`exec()` returns UTF-16 offsets and gives leftmost-first (JavaScript) priority', () => {
  assert.deepEqual(compileSafeRegex('b+', CS).exec('😀😀abbb'), { index: 5, length: 3 });
  assert.equal(run('a|ab', 'ab'), '0:"a"'); // the first alternative wins, not the longest
  assert.equal(run('ab|a', 'ab'), '0:"ab"');
  assert.equal(run('a+?', 'aaa'), '0:"a"'); // lazy quantifiers are honoured
  assert.equal(run('x*', 'abc'), '0:""'); // empty match at the leftmost position
});

test('`exec()` can be called again and again on lines of any length with the same result', () => {
  const regex = compileSafeRegex('(ab|cd)+e', CS);
  const lines = ['zzabcde', 'x'.repeat(3000) + 'cdabe', 'abe', '', 'abcd', 'abe'];
  const expected = ['2:"abcde"', '3000:"cdabe"', '0:"abe"', 'null', 'null', '0:"abe"'];
  for (let round = 0; round < 3; round++) {
    lines.forEach((line, i) => assert.equal(show(line, regex.exec(line)), expected[i]));
  }
});

test('`exec()` folds case only when caseSensitive is false', () => {
  assert.equal(run('HeLLo', 'say hello', true), 'null');
  assert.equal(run('HeLLo', 'say hello', false), '4:"hello"');
  assert.equal(run('[A-Z]+', 'abc', false), '0:"abc"');
  assert.equal(run('[^a]', 'Ab', false), '1:"b"'); // the negation applies after folding, as in JavaScript
  assert.equal(run('Ω', 'ω', false), '0:"ω"');
  assert.equal(run('s', 'ſ', false), 'null'); // a non-ASCII unit never folds into ASCII
  assert.equal(run('\\w', 'é', false), 'null');
});

test('`exec()` anchors ^ and $ to the line start and end only', () => {
  assert.equal(run('^foo', 'foo foo'), '0:"foo"');
  assert.equal(run('^foo', ' foo'), 'null');
  assert.equal(run('foo$', 'foo foo'), '4:"foo"');
  assert.equal(run('a^b', 'ab'), 'null');
  assert.equal(run('^$', ''), '0:""');
  assert.equal(run('^(a|b)+$', 'abba'), '0:"abba"');
  assert.equal(run('^(a|b)+$', 'abca'), 'null');
});

test('`exec()` honours \\b and \\B word boundaries', () => {
  assert.equal(run('\\bcat\\b', 'concat cats cat'), '12:"cat"');
  assert.equal(run('\\Bcat', 'cat concat'), '7:"cat"');
  assert.equal(run('\\b', '  x'), '2:""');
  assert.equal(run('x\\b', 'x_ x'), '3:"x"');
});

test('`exec()` supports classes with ranges, escapes and negation', () => {
  assert.equal(run('[\\d_-]+', 'ab 1_2-3 c'), '3:"1_2-3"');
  assert.equal(run('[^\\s,]+', ' , ab,c'), '3:"ab"');
  assert.equal(run('[\\x41-\\x43]+', 'xABCD'), '1:"ABC"');
  assert.equal(run('[\\u00e0-\\u00ff]+', 'caféine'), '3:"é"');
  assert.equal(run('[]', 'abc'), 'null'); // an empty class matches nothing, as in JavaScript
  assert.equal(run('[^]', 'a'), '0:"a"');
  assert.equal(run('.', '\n'), 'null');
});

test('`exec()` expands counted repetition exactly', () => {
  assert.equal(run('a{3}', 'aa'), 'null');
  assert.equal(run('a{3}', 'aaaa'), '0:"aaa"');
  assert.equal(run('a{2,3}?', 'aaaa'), '0:"aa"');
  assert.equal(run('(ab){1,2}c', 'abababc'), '2:"ababc"');
  assert.equal(run('a{100}', 'a'.repeat(99)), 'null');
  assert.equal(run('a{100}', 'a'.repeat(150)), `0:${JSON.stringify('a'.repeat(100))}`);
  assert.equal(run('x{2,}', 'x xxxxx'), '2:"xxxxx"');
  assert.equal(run('a{,2}', 'a{,2}'), '0:"a{,2}"'); // not a quantifier, so literal (as in JavaScript)
});

test('`compileSafeRegex()` refuses unsupported or oversized patterns with a message naming the problem', () => {
  const refused: readonly (readonly [string, string])[] = [
    ['', 'empty pattern'],
    ['a'.repeat(513), 'pattern too long (513 characters, limit 512)'],
    ['(a)\\1', 'backreferences are not supported'],
    ['(?<n>a)\\k<n>', 'backreferences are not supported'],
    ['a(?=b)', 'lookahead is not supported'],
    ['a(?!b)', 'lookahead is not supported'],
    ['(?<=a)b', 'lookbehind is not supported'],
    ['(?<!a)b', 'lookbehind is not supported'],
    ['a*+', 'nested quantifier at position 2 (possessive quantifiers are not supported)'],
    ['a{2}{3}', 'nested quantifier at position 4 (possessive quantifiers are not supported)'],
    ['(ab', 'unbalanced parentheses: "(" at position 0 is not closed'],
    ['ab)', 'unbalanced parentheses: unmatched ")" at position 2'],
    ['[ab', 'unbalanced brackets: "[" at position 0 is not closed'],
    ['ab]', 'unbalanced brackets: unmatched "]" at position 2'],
    ['a{101}', 'repetition count above 100 at position 1'],
    ['a{1,101}', 'repetition count above 100 at position 1'],
    ['a{99999999999}', 'repetition count above 100 at position 1'],
    ['a{3,2}', 'numbers out of order in "{3,2}"'],
    ['(a{100}){100}', 'pattern too large: over 1000 states, the cost limit of 1000 steps per character'],
    // Nested counted repetitions the old 5,000-state limit accepted: about 100 µs per character.
    ['(a{0,50}){0,49}(c|d)', 'pattern too large: over 1000 states, the cost limit of 1000 steps per character'],
    ['*a', 'nothing to repeat at position 0'],
    ['^*', 'nothing to repeat at position 1'],
    ['\\p{L}', 'Unicode property escapes are not supported'],
    ['(?i)a', 'unsupported group syntax "(?i)" at position 0'],
    ['[[:alpha:]]', 'POSIX classes like [:alpha:] are not supported'],
    ['\\q', 'unknown escape "\\\\q" at position 0'],
    ['\\x4', 'invalid \\x escape at position 0'],
    ['[z-a]', 'range out of order in character class at position 4'],
    ['ab\\', 'pattern ends with a backslash'],
  ];
  for (const [pattern, reason] of refused) {
    assert.throws(() => compileSafeRegex(pattern, CS), { message: `Cannot compile regex: ${reason}` }, pattern);
  }
});

// Without a clock: a backtracking engine needs about 2^5000 steps on these lines and never finishes (the
// runner's hang guard reports it); the linear-time engine answers at once.
test('`exec()` finishes catastrophic-backtracking patterns on 5,000-char lines', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['(a+)+$', 'a'.repeat(5000) + '!', 'null'],
    ['(a|a)*b', 'a'.repeat(5000) + 'cb', '5001:"b"'],
    ['(a|aa)*c', 'a'.repeat(5000) + 'bc', '5001:"c"'],
    ['(x+x+)+y', 'x'.repeat(5000) + 'zy', 'null'],
    ['^(\\w+\\s?)*$', 'a'.repeat(5000) + '!', 'null'],
    ['(.*a){20}', 'a'.repeat(5000), `0:${JSON.stringify('a'.repeat(5000))}`],
  ];
  for (const [pattern, line, expected] of cases) {
    for (const options of [CS, CI]) {
      const regex = compileSafeRegex(pattern, options);
      assert.equal(show(line, regex.exec(line)), expected, pattern);
    }
  }
});

test('`requiredLiteral` names a substring every match contains, or null', () => {
  const expected: readonly (readonly [string, boolean, string | null])[] = [
    ['foo\\d+bar', true, 'foo'],
    ['x\\d+barbaz', true, 'barbaz'],
    ['a|b', true, null],
    ['\\d+', true, null],
    ['hello world', true, 'hello world'],
    ['Hello', false, 'hello'],
    ['colou?r', true, 'colo'],
    ['(abc)+d', true, 'abcd'],
    ['(ab){3}', true, 'ababab'],
    ['x*yz', true, 'yz'],
    ['(foo|fob)x', true, 'fo'],
    ['(error|warning): \\w+', true, ': '],
    ['^\\.md$', true, '.md'],
    ['Été', false, 't'], // non-ASCII letters with case are left out when folding
    ['日本語', false, '日本語'],
  ];
  for (const [pattern, caseSensitive, literal] of expected) {
    const regex = compileSafeRegex(pattern, { caseSensitive });
    assert.equal(regex.requiredLiteral, literal, pattern);
  }
});

test('`requiredLiteral` is contained in every match the engine finds', () => {
  const lines = ['Foo123Bar', 'xabcabcdx', 'Error: disk full', 'colour', 'FOO1BAR'];
  for (const pattern of ['foo\\d+bar', '(abc)+d', '(error|warning): \\w+', 'colou?r', 'o\\d']) {
    for (const options of [CS, CI]) {
      const regex = compileSafeRegex(pattern, options);
      for (const line of lines) {
        const m = regex.exec(line);
        if (m === null || regex.requiredLiteral === null) continue;
        const text = line.slice(m.index, m.index + m.length);
        assert.ok((options.caseSensitive ? text : text.toLowerCase()).includes(regex.requiredLiteral), pattern);
      }
    }
  }
});
