// Every citation resolves (docs/style.md, "Comments say why"): a comment in src/, test/ or scripts/ that
// names `docs/<file>.md` names a file that exists, and a quoted section after it names a heading of that
// file; the design texts the code once cited outside the repository are not cited at all. Links between
// the Markdown files resolve too, so an auditor with only a clone can follow every reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, stripComments } from '../helpers/source_scan.ts';

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const abs = join(dir, name);
    if (name === 'node_modules') continue; // test/runtimes installs Deno and Node 24 there
    if (statSync(abs).isDirectory()) out.push(...filesUnder(abs, ext));
    else if (ext.test(name)) out.push(abs);
  }
  return out;
}

/** Headings of a Markdown file, without the leading #s. */
function headingsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1] as string));
}

/** Comment text with line breaks inside comments joined, so a citation wrapped over two lines still reads whole. */
function joinComments(text: string): string {
  return text.replace(/\n[ \t]*(?:\/\/|\*(?!\/))[ \t]?/g, ' ');
}

// `docs/name.md`, optionally followed by `, "Section"` (one quoted heading per citation).
const CITATION = /\bdocs\/([a-z0-9_-]+\.md)(?:,\s+"([^"\n]+)")?/g;
const OUTSIDE = /\b(?:SECURITY|PROTOCOL|STYLE|ARCHITECTURE)\.md\b/;

/** Problems with the citations in one text, each naming the line. */
function citationProblems(text: string, docsDir: string): string[] {
  const problems: string[] = [];
  const joined = joinComments(text);
  for (const m of joined.matchAll(CITATION)) {
    const file = join(docsDir, m[1] as string);
    if (!existsSync(file)) {
      problems.push(`cites docs/${m[1]}, which does not exist`);
      continue;
    }
    if (m[2] !== undefined && !headingsOf(file).has(m[2]))
      problems.push(`cites docs/${m[1]}, "${m[2]}": no such section`);
  }
  const outside = OUTSIDE.exec(text);
  if (outside)
    problems.push(
      `line ${text.slice(0, outside.index).split('\n').length}: cites ${
        outside[0]
      }, a design text that is not in the repository`,
    );
  return problems;
}

const DOCS = join(REPO, 'docs');
// This file is left out: its own test cases cite missing files and sections on purpose.
const sources = ['src', 'test', 'scripts'].flatMap((d) => filesUnder(join(REPO, d), /\.(ts|mjs|js)$/))
  .filter((abs) => !abs.endsWith('citations.test.ts'));

test('the citation checker finds real citations and refuses missing files, sections and outside texts', () => {
  assert.deepEqual(citationProblems('// see (docs/security.md, "Races")', DOCS), []);
  assert.deepEqual(
    citationProblems('// a wrapped one (docs/security.md, "What the\n// runtimes do not protect")', DOCS),
    [],
  );
  assert.match(citationProblems('// (docs/nope.md)', DOCS).join(), /does not exist/);
  assert.match(citationProblems('// (docs/security.md, "No such heading")', DOCS).join(), /no such section/);
  assert.match(citationProblems('// (PROTOCOL.md section 4)', DOCS).join(), /not in the repository/);
});

/** The comments of a source file (code blanked, line structure kept). Under src/ messages cite docs too, so all of it. */
function citingText(abs: string): string {
  const text = readFileSync(abs, 'utf8');
  if (relative(REPO, abs).startsWith('src')) return text;
  const code = stripComments(text);
  return text.split('').map((c, i) => (c === code[i] && c !== '\n' ? ' ' : c)).join('');
}

test('every citation in src/, test/ and scripts/ names a docs/ file and section that exist', () => {
  let citations = 0;
  const bad: string[] = [];
  for (const abs of sources) {
    const text = citingText(abs);
    citations += [...joinComments(text).matchAll(CITATION)].length;
    for (const p of citationProblems(text, DOCS)) bad.push(`${relative(REPO, abs)}: ${p}`);
  }
  assert.ok(citations >= 40, `only ${citations} citations found: is the pattern still right?`);
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('every relative link in README.md and docs/*.md points to a file (and heading) that exists', () => {
  const bad: string[] = [];
  for (const abs of [join(REPO, 'README.md'), ...filesUnder(DOCS, /\.md$/)]) {
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string;
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? abs : join(abs, '..', path);
      if (!existsSync(file)) bad.push(`${relative(REPO, abs)}: link to ${target}: no such file`);
      else if (anchor !== undefined && file.endsWith('.md')) {
        const slugs = [...headingsOf(file)].map((h) => h.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
        if (!slugs.includes(anchor)) bad.push(`${relative(REPO, abs)}: link to ${target}: no such heading`);
      }
    }
  }
  assert.deepEqual(bad, [], bad.join('\n'));
});
