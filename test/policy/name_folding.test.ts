// Names compared the way case-insensitive file systems compare them. See
// docs/security.md, "Names are compared as the file system compares them": on APFS, NTFS or an ext4
// casefold folder "ſecrets.md" opens "secrets.md", so deny and consent rules must match under full case
// folding and NFKC, not `toLowerCase`. Every character whose fold differs from its lowercase is tried;
// short names and invisible characters are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DENY, DEFAULT_EXTENSIONS } from '../../src/config/schema.ts';
import { createConfirmPolicy } from '../../src/policy/confirm.ts';
import {
  createPathRules,
  foldName,
  isPathProblem,
  relPathAllowed,
  segmentAllowed,
  splitRequestPath,
} from '../../src/policy/path_rules.ts';

const EXT = [...DEFAULT_EXTENSIONS];
const RULES = createPathRules(EXT, [...DEFAULT_DENY], false);

/** Every code point whose fold is not its plain lowercase: the characters `toLowerCase` rules missed. */
function foldingCharacters(): string[] {
  const out: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (foldName(ch) !== ch.toLowerCase()) out.push(ch);
  }
  return out;
}
const FOLDING = foldingCharacters();
const escapeGlob = (s: string) => s.replace(/[*?[\]{}\\]/g, '\\$&');

test('the fold is idempotent and covers the known aliases (ſ, Kelvin sign, ß, ligatures, superscripts)', () => {
  assert.ok(FOLDING.length > 1000, `only ${FOLDING.length} folding characters found`);
  for (const ch of FOLDING) assert.equal(foldName(foldName(ch)), foldName(ch), `U+${ch.codePointAt(0)?.toString(16)}`);
  for (
    const [name, folded] of [['ſecrets.md', 'secrets.md'], ['\u212aey.md', 'key.md'], ['straße', 'strasse'], [
      'ﬁle',
      'file',
    ]]
  ) {
    assert.equal(foldName(name as string), folded);
  }
});

test('every folding character: a name spelled with it is denied by the rule for its folded spelling', () => {
  let tried = 0;
  for (const ch of FOLDING) {
    const folded = foldName(ch);
    if (folded.includes('/')) continue; // a fold to "/" is a separator, not a name character
    const name = `x${ch}y.md`;
    if (!segmentAllowed(createPathRules(EXT, [], false), name)) continue; // refused anyway (NFC, controls)
    tried++;
    const rules = createPathRules(EXT, [`x${escapeGlob(folded)}y.md`], false);
    assert.equal(segmentAllowed(rules, name), false, `U+${ch.codePointAt(0)?.toString(16)} slips past its deny rule`);
    const whole = createPathRules(EXT, [`dir/x${escapeGlob(folded)}y.md`], false);
    assert.equal(
      relPathAllowed(whole, `dir/${name}`),
      false,
      `U+${ch.codePointAt(0)?.toString(16)} slips past a path rule`,
    );
    const consent = createConfirmPolicy([`x${escapeGlob(folded)}y.md`], 0);
    assert.equal(
      consent.needs({ rel: name, target: name }, 1, 1),
      true,
      `U+${ch.codePointAt(0)?.toString(16)} skips consent`,
    );
  }
  assert.ok(tried > 1000, `only ${tried} characters tried`);
});

test("the issue's spellings are refused by the built-in deny list and consent globs", () => {
  for (const name of ['ſecrets.md', 'credentialſ.txt', 'id_rſa', 'ſecret', '.enⅴ', 'ＳＥＣＲＥＴＳ.md', 'SECRETS.MD']) {
    assert.equal(segmentAllowed(RULES, name), false, name);
  }
  const consent = createConfirmPolicy(['secret-plans/**'], 0);
  for (const rel of ['ſecret-plans/q3.md', 'SECRET-PLANS/q3.md', 'ſecret-planſ/q3.md']) {
    assert.equal(consent.needs({ rel, target: rel }, 1, 1), true, rel);
  }
  assert.equal(segmentAllowed(RULES, 'straße.md'), true, 'ordinary non-ASCII names stay servable');
  assert.equal(segmentAllowed(RULES, 'οδηγός.md'), true);
});

test('Windows short names are refused in requests and listings; ordinary tildes are not', () => {
  for (const raw of ['SECRE~1.MD', 'secre~1.md', 'PROGRA~1/x.md', 'CREDEN~2.TXT', 'A~1']) {
    const r = splitRequestPath(raw);
    assert.ok(isPathProblem(r) && /short name/.test(r.problem), raw);
  }
  assert.equal(segmentAllowed(RULES, 'SECRE~1.MD'), false);
  for (const ok of ['notes~.md', 'v1~2024-draft.md', 'a~b.md', '~tmp.md'.slice(1)])
    assert.equal(segmentAllowed(RULES, ok), true, ok);
});

test('TAG characters, U+2060-U+2064 and the soft hyphen are refused in names', () => {
  for (const ch of ['\u{e0000}', '\u{e0041}', '\u{e007f}', '\u2060', '\u2061', '\u2064', '\u00ad']) {
    const name = `read${ch}me.md`;
    assert.equal(segmentAllowed(RULES, name), false, `U+${ch.codePointAt(0)?.toString(16)}`);
    assert.ok(isPathProblem(splitRequestPath(name)));
  }
  const smuggled = [...'secret'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('') + '.md';
  assert.equal(segmentAllowed(RULES, smuggled), false, 'a name made of TAG characters');
});

/** Every code point whose fold writes glob syntax ("［" U+FF3B is "[", "＊" is "*", "﹛" is "{", "＼" is "\"). */
const SYNTAX_FOLDS = Array.from({ length: 0x30000 }, (_, cp) => String.fromCodePoint(cp))
  .filter((ch) => /[^\x00-\x7f]/.test(ch) && /[*?[\]{},\\!^-]/.test(foldName(ch)) && !foldName(ch).includes('/'));

// Outside attack (sbe17): rules were folded before they were compiled, so "議事録［社外秘］.md" became a character
// class and denied nothing, "報告｛最終｝.md" a brace and "a＼b.md" an escape. Syntax is read as written now.
test('a rule spelled with a character that folds to glob syntax denies exactly that name, as written', () => {
  assert.ok(SYNTAX_FOLDS.length >= 15, `only ${SYNTAX_FOLDS.length} such characters`);
  for (const ch of SYNTAX_FOLDS) {
    const name = `x${ch}y.md`;
    const hex = `U+${ch.codePointAt(0)?.toString(16)}`;
    assert.equal(segmentAllowed(createPathRules(EXT, [], false), name), true, `${hex}: a plain name`);
    for (const rule of [name, `x${ch}y.*`, `[x]${ch}y.md`]) {
      const rules = createPathRules(EXT, [rule, `dir/${rule}`], false);
      assert.equal(segmentAllowed(rules, name), false, `${hex}: ${rule} misses its own name`);
      assert.equal(relPathAllowed(rules, `dir/${name}`), false, `${hex}: dir/${rule} misses its own path`);
      assert.equal(segmentAllowed(rules, 'xzy.md') && segmentAllowed(rules, 'xy.md'), true, `${hex}: read as syntax`);
      const consent = createConfirmPolicy([rule], 0);
      assert.equal(consent.needs({ rel: `a/${name}`, target: name }, 1, 1), true, `${hex}: ${rule} skips consent`);
      assert.equal(consent.needs({ rel: 'a/xzy.md', target: 'a/xzy.md' }, 1, 1), false, `${hex}: read as syntax`);
    }
    if ([...foldName(ch)].length === 1) { // in a class it is a member, never "!", "^", "-" or "]" syntax
      const rules = createPathRules(EXT, [`x[${ch}]y.md`, `x[a${ch}]z.md`], false);
      for (const denied of [name, `x${ch}z.md`, 'xaz.md']) assert.equal(segmentAllowed(rules, denied), false, hex);
      for (const served of ['xqy.md', 'xqz.md']) assert.equal(segmentAllowed(rules, served), true, `${hex}: as syntax`);
    }
  }
});

test("the attack's names are denied and gated by rules that spell them; escapes and multi-character folds work", () => {
  const names = [
    '議事録［社外秘］.md',
    '報告｛最終｝.md',
    'a＼b.md',
    'ＭＥＭＯ＊.md',
    'ﬁnal？.md',
    'café.md',
    'straße.md',
  ];
  const rules = createPathRules(EXT, names.map((n) => n.normalize('NFD')), false); // as typed on macOS: decomposed
  for (const name of names) assert.equal(segmentAllowed(rules, name), false, name);
  for (const name of ['議事録社.md', '報告最終.md', 'memoX.md', 'final!.md', 'strase.md']) {
    assert.equal(segmentAllowed(rules, name), true, name);
  }
  const escaped = createPathRules(EXT, ['\\［draft\\］.md', 'STRASSE*', '{a,ß}.md'], false);
  for (const name of ['［draft］.md', '[DRAFT].md', 'straße-2.md', 'ß.md', 'SS.md']) {
    assert.equal(segmentAllowed(escaped, name), false, name);
  }
  const consent = createConfirmPolicy(['議事録［社外秘］.md', 'plans／**'], 0);
  for (const rel of ['x/議事録［社外秘］.md', 'plans/q3.md'])
    assert.equal(consent.needs({ rel, target: rel }, 1, 1), true);
  assert.throws(() => createPathRules(EXT, ['x[ß]y.md'], false), /"ß" in a class folds to "ss"/);
});
