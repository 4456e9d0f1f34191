import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findHeading, formatOf, parseHeadingsInSlices, sectionRange } from '../../src/formats/headings.ts';
import type { DocFormat, Heading } from '../../src/formats/headings.ts';

/** The parser the server runs, to the end (a pause that never waits). */
const parseHeadings = (lines: readonly string[], format: DocFormat) =>
  parseHeadingsInSlices(lines, format, () => Promise.resolve());

async function parse(text: string, format: DocFormat): Promise<readonly (readonly [number, string, number])[]> {
  return (await parseHeadings(text.split('\n'), format)).map((h) => [h.level, h.title, h.line] as const);
}

test('`formatOf()` maps extensions case-insensitively and falls back to text', () => {
  const cases: readonly (readonly [string, DocFormat])[] = [
    ['a.md', 'markdown'],
    ['x/B.MARKDOWN', 'markdown'],
    ['c.mdx', 'markdown'],
    ['d.rst', 'rst'],
    ['e.rest', 'rst'],
    ['f.adoc', 'asciidoc'],
    ['g.asciidoc', 'asciidoc'],
    ['h.asc', 'asciidoc'],
    ['i.txt', 'text'],
    ['README', 'text'],
    ['.md', 'text'],
    ['md.d/file', 'text'],
  ];
  for (const [path, format] of cases) assert.equal(formatOf(path), format, path);
});

test('`parseHeadingsInSlices()` reads Markdown ATX headings and strips closing hashes', async () => {
  const text = [
    '# One',
    '## Two ##',
    '### Three ###   ',
    '#### Four #not-closing',
    '##### Five \\#',
    '###### Six',
    '####### Seven',
    '#NoSpace',
    '   # Indented three',
    '    # Indented four',
    '#\tTab',
    '## C# #',
    '#',
    '### ###',
  ].join('\n');
  assert.deepEqual(await parse(text, 'markdown'), [
    [1, 'One', 1],
    [2, 'Two', 2],
    [3, 'Three', 3],
    [4, 'Four #not-closing', 4],
    [5, 'Five \\#', 5],
    [6, 'Six', 6],
    [1, 'Indented three', 9],
    [1, 'Tab', 11],
    [2, 'C#', 12],
  ]);
});

test('`parseHeadingsInSlices()` reads Markdown setext headings only under paragraph text', async () => {
  const text = [
    'Title',
    '=====',
    '',
    'Sub',
    '---',
    '',
    '---',
    '',
    '- item',
    '---',
    '',
    '> quote',
    '---',
    '',
    'Two line',
    'paragraph',
    '===',
    '',
    '    code',
    '---',
    '',
    '***',
    '---',
    'After # not atx',
    '-',
  ].join('\n');
  assert.deepEqual(await parse(text, 'markdown'), [
    [1, 'Title', 1],
    [2, 'Sub', 4],
    [1, 'Two line paragraph', 15],
    [2, 'After # not atx', 24],
  ]);
});

test('`parseHeadingsInSlices()` ignores headings inside Markdown code fences of matching kind and length', async () => {
  const text = [
    '# Before',
    '```js',
    '# not a heading',
    '~~~',
    '# still code',
    '```',
    '## After one',
    '````',
    '```',
    '# inside',
    '````',
    '~~~~ python',
    '# inside tilde',
    '~~~',
    'x',
    '---',
    '~~~~',
    '### After two',
    '``` has ` backtick',
    '### Not a fence so a heading',
    '```',
    '# in unclosed fence',
  ].join('\n');
  assert.deepEqual(await parse(text, 'markdown'), [
    [1, 'Before', 1],
    [2, 'After one', 7],
    [3, 'After two', 18],
    [3, 'Not a fence so a heading', 20],
  ]);
});

test('`parseHeadingsInSlices()` skips YAML and TOML front matter in Markdown', async () => {
  assert.deepEqual(await parse(['---', 'title: x', '# comment', '---', '# Real'].join('\n'), 'markdown'), [[
    1,
    'Real',
    5,
  ]]);
  assert.deepEqual(await parse(['+++', 'title = "x"', '+++', 'Body', '---'].join('\n'), 'markdown'), [[2, 'Body', 4]]);
  // No closing delimiter: not front matter, so line 2 counts as text.
  assert.deepEqual(await parse(['---', '# Heading'].join('\n'), 'markdown'), [[1, 'Heading', 2]]);
});

test('`parseHeadingsInSlices()` assigns reStructuredText levels in order of first style appearance', async () => {
  const text = [
    '=======',
    ' Title',
    '=======',
    '',
    'Section',
    '=======',
    '',
    'Sub',
    '---',
    '',
    'Other',
    '=======',
    '',
    'Sub two',
    '-------',
    '',
    'Deep',
    '~~~~~~~~',
    '',
    '-----------',
    'Over dash',
    '-----------',
  ].join('\n');
  assert.deepEqual(await parse(text, 'rst'), [
    [1, 'Title', 2],
    [2, 'Section', 5],
    [3, 'Sub', 8],
    [2, 'Other', 11],
    [3, 'Sub two', 14],
    [4, 'Deep', 17],
    [5, 'Over dash', 21],
  ]);
});

test('`parseHeadingsInSlices()` rejects reStructuredText underlines that are too short, indented or mixed', async () => {
  const text = [
    'Too long a title',
    '----',
    '',
    '  Indented',
    '  ----------',
    '',
    'Mixed',
    '-=-=-=-',
    '',
    'Indented underline',
    '   ------------------',
    '',
    '----------',
    '',
    'Para',
    '',
    '::',
    'Ok',
    '##',
    '',
    'Über',
    '~~~~',
  ].join('\n');
  assert.deepEqual(await parse(text, 'rst'), [[1, 'Ok', 18], [2, 'Über', 21]]);
});

test('`parseHeadingsInSlices()` skips reStructuredText literal blocks because they are indented', async () => {
  const text = ['Example::', '', '    Fake', '    ====', '', 'Real', '===='].join('\n');
  assert.deepEqual(await parse(text, 'rst'), [[1, 'Real', 6]]);
});

test('`parseHeadingsInSlices()` reads AsciiDoc section titles and skips delimited blocks', async () => {
  const text = [
    '= Document',
    '',
    '== Section ==',
    '=== Sub',
    '----',
    '== in listing',
    '----',
    '....',
    '== in literal',
    '....',
    '////',
    '== in comment',
    '////',
    '# Markdown style',
    '====== Six',
    '======= Seven',
    '==NoSpace',
    ' == Indented',
    '====',
    '-----',
    '== in longer listing',
    '----',
    '== still listing',
    '-----',
    '==== Four',
  ].join('\n');
  assert.deepEqual(await parse(text, 'asciidoc'), [
    [1, 'Document', 1],
    [2, 'Section', 3],
    [3, 'Sub', 4],
    [1, 'Markdown style', 14],
    [6, 'Six', 15],
    [4, 'Four', 25],
  ]);
});

test('`parseHeadingsInSlices()` finds no headings in plain text', async () => {
  assert.deepEqual(await parse('# Not\nTitle\n=====', 'text'), []);
});

test('`parseHeadingsInSlices()` cuts titles to 200 characters and stops at 10,000 headings', async () => {
  const long = await parseHeadings([`# ${'é'.repeat(300)}`], 'markdown');
  assert.equal(long[0]?.title, 'é'.repeat(200));
  const emoji = await parseHeadings([`# ${'😀'.repeat(250)}`], 'markdown');
  assert.equal(Array.from(emoji[0]?.title ?? '').length, 200);
  const many = await parseHeadings(Array.from({ length: 10_050 }, (_, k) => `# H${k}`), 'markdown');
  assert.equal(many.length, 10_000);
  assert.equal(many[9_999]?.title, 'H9999');
  const rst = await parseHeadings(
    Array.from({ length: 20_100 }, (_, k) => (k % 2 === 0 ? `T${k}` : '==========')),
    'rst',
  );
  assert.equal(rst.length, 10_000);
});

// Without a clock: a backtracking heading pattern needs about 10^11 steps on this 400 KB line (minutes,
// which the runner's hang guard reports); a linear parse answers at once.
test('`parseHeadingsInSlices()` handles a huge line without slowing down', async () => {
  const line = `#${' '.repeat(200_000)}x${' '.repeat(200_000)}#`;
  assert.deepEqual(await parse(line, 'markdown'), [[1, 'x', 1]]);
});

const DOC: readonly Heading[] = [
  { level: 1, title: 'Guide', line: 1 },
  { level: 2, title: 'Install', line: 5 },
  { level: 3, title: 'From source', line: 9 },
  { level: 2, title: 'child_process.spawn(command[, args])', line: 20 },
  { level: 2, title: 'Usage', line: 30 },
  { level: 2, title: 'Usage', line: 40 },
];

test('`sectionRange()` ends before the next heading of the same or higher rank', () => {
  assert.deepEqual(sectionRange(DOC, 0, 50), { startLine: 1, endLine: 50 });
  assert.deepEqual(sectionRange(DOC, 1, 50), { startLine: 5, endLine: 19 });
  assert.deepEqual(sectionRange(DOC, 2, 50), { startLine: 9, endLine: 19 });
  assert.deepEqual(sectionRange(DOC, 5, 50), { startLine: 40, endLine: 50 });
});

test('`sectionRange()` throws when the index is out of range', () => {
  assert.throws(() => sectionRange(DOC, 6, 50), /^RangeError: Cannot find section: heading index out of range$/);
  assert.throws(() => sectionRange(DOC, -1, 50), RangeError);
});

test('`findHeading()` prefers an exact case-insensitive title, accepting leading hashes', () => {
  assert.equal(findHeading(DOC, 'install'), 1);
  assert.equal(findHeading(DOC, '  ## From Source '), 2);
  assert.equal(findHeading(DOC, 'usage'), 4);
  assert.equal(findHeading(DOC, '#'), -1);
  assert.equal(findHeading(DOC, ''), -1);
});

test('`findHeading()` falls back to a slug match, then a unique prefix', () => {
  assert.equal(findHeading(DOC, 'from-source'), 2);
  assert.equal(findHeading(DOC, '#child-process-spawn-command-args'), 3);
  assert.equal(findHeading(DOC, 'child-process-spawn'), 3);
  assert.equal(findHeading(DOC, 'Child process.spawn'), 3);
  assert.equal(findHeading(DOC, 'child_process'), 3);
  assert.equal(findHeading(DOC, 'Inst'), 1);
  assert.equal(findHeading(DOC, 'u'), -1); // ambiguous: "Usage" twice, but only as a prefix
  assert.equal(findHeading(DOC, 'missing'), -1);
  assert.equal(findHeading(DOC, '!!!'), -1);
});

// Outside attack: a 60 MB file of 3,000 lines of 20,000 dashes was scanned in one step of 1.1 s (a pause came
// every 4,096 lines, whatever their length). A scan pauses every 1 M characters too.
test('`parseHeadingsInSlices()` pauses every million characters of long lines, not only every 4,096 lines', async () => {
  for (const format of ['markdown', 'rst', 'asciidoc'] as const) {
    let ticks = 0;
    const lines = Array.from({ length: 300 }, () => '-'.repeat(20_000));
    await parseHeadingsInSlices(lines, format, async () => void ticks++);
    assert.ok(ticks >= 5, `${format}: ${ticks} pauses for 6 M characters`);
  }
});
