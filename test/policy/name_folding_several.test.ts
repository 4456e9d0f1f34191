// Characters that fold to several (ß → ss, ﬁ → fi, ½ → 1⁄2, İ → i̇, ŉ → ʼn) and pairs that fold to one (ｶﾞ → ガ):
// a rule's `?` or `[…]` reads the name as written, one character each, as Python's fnmatch does, so a name is
// denied or gated when a rule matches its whole fold OR its fold character by character (src/policy/path_rules.ts,
// `folds`). Outside attack (sbe18): "Stra?e/**" served Straße/a.md, "contract-?.md" served contract-ß.md unasked,
// and the census (`docwarden check`) agreed, so the operator was not warned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkRoot } from '../../src/config/census.ts';
import { DEFAULT_EXTENSIONS } from '../../src/config/schema.ts';
import { consentRule, createConfirmPolicy } from '../../src/policy/confirm.ts';
import { createPathRules, foldName, relPathAllowed, segmentAllowed } from '../../src/policy/path_rules.ts';
import { partsFor } from '../helpers/in_process.ts';

const EXT = [...DEFAULT_EXTENSIONS];
const NONE = createPathRules(EXT, [], false);
const allowed = (deny: string[], rel: string, folder = false): boolean => {
  const rules = createPathRules(EXT, deny, false);
  return rel.split('/').every((s) => segmentAllowed(rules, s)) && relPathAllowed(rules, rel, folder);
};
const ATTACK: [string, string][] = [
  ['Stra?e/**', 'Straße/a.md'],
  ['?le.md', 'ﬁle.md'],
  ['budget-?.md', 'budget-½.md'],
  ['?nfo.md', 'İnfo.md'],
  ['ｶ?.md', 'ｶﾞ.md'],
  ['[!x]ote.md', 'ŉote.md'],
  ['x[!y].md', 'xß.md'],
  ['docs/??/*', 'docs/ß½/a.md'],
];

test("the attack's rules deny its names, as segment rules, path rules and folders above", () => {
  for (const [rule, rel] of ATTACK) {
    assert.equal(allowed([], rel), true, `${rel} is servable without rules`);
    assert.equal(allowed([rule], rel), false, `${rule} misses ${rel}`);
    assert.equal(allowed([`top/${rule}`], `top/${rel}`), false, `top/${rule} misses top/${rel}`);
    assert.equal(allowed([`${rule.replace(/\.md$/, '')}/`], `${rel.replace(/\.md$/, '')}/in.md`), false, rule);
  }
  assert.equal(allowed(['Stra?e/**'], 'Straße', true), false, 'the folder whose every entry is denied is hidden too');
});

test('the whole fold still matches, and a character that folds to several is one character, never two', () => {
  for (const [rule, rel] of [['strasse/**', 'Straße/a.md'], ['ss.md', 'ß.md'], ['file*', 'ﬁle.md'], ['?.md', 'ß.md']]) {
    assert.equal(allowed([rule as string], rel as string), false, `${rule} misses ${rel}`);
  }
  const served: [string, string][] = [
    ['a?c.md', 'ac.md'],
    ['x?.md', 'xßß.md'],
    ['x[!s]s.md', 'xß.md'],
    ['[!x]ote.md', 'xote.md'],
    ['budget-?.md', 'budget-10.md'],
    ['?nfo.md', 'İİnfo.md'],
    ['x[a-z]y.md', 'xßy.md'], // ß stands for itself: not a letter from a to z
  ];
  for (const [rule, rel] of served) assert.equal(allowed([rule], rel), true, `${rule} denies ${rel}`);
});

test('confirm.paths: "contract-?.md" gates contract-ß.md, by name, by link target and by a folder above', () => {
  const consent = createConfirmPolicy(['contract-?.md', 'Stra?e'], 0);
  for (const rel of ['contract-a.md', 'contract-ß.md', 'x/contract-ß.md', 'Straße/a.md', 'a/Straße/b/c.md']) {
    assert.equal(consent.needs({ rel, target: rel }, 1, 1), true, `${rel} is served unasked`);
    assert.equal(consent.needs({ rel: 'pub/link.md', target: rel }, 1, 1), true, `a link to ${rel} is served unasked`);
  }
  for (const rel of ['contract-ab.md', 'contract-.md', 'Strasse-x/a.md']) {
    assert.equal(consent.needs({ rel, target: rel }, 1, 1), false, rel);
  }
  assert.equal(consentRule(['x.md', 'contract-?.md'])('a/contract-½.md'), 'contract-?.md', 'check counts the rule');
});

/** Every code point below U+30000 that folds, alone, to several characters (none of them "/"). */
const SEVERAL = Array.from({ length: 0x30000 }, (_, cp) => String.fromCodePoint(cp))
  .filter((ch) => /[^\x00-\x7f]/.test(ch) && [...foldName(ch)].length > 1 && !foldName(ch).includes('/'))
  .filter((ch) => segmentAllowed(NONE, `x${ch}y.md`)); // not refused anyway (NFC, controls)

test('every character that folds to several: `?`, a class and a negated class consume it as one', () => {
  assert.ok(SEVERAL.length > 1000, `only ${SEVERAL.length} such characters`);
  const rules = createPathRules(EXT, ['x?y.md', 'q[!a]y.md', 'dir/z[^/]y.md'], false);
  const consent = createConfirmPolicy(['g/x?y.md'], 0);
  for (const ch of SEVERAL) {
    const hex = `U+${ch.codePointAt(0)?.toString(16)}`;
    assert.equal(segmentAllowed(rules, `x${ch}y.md`), false, `${hex}: x?y.md`);
    assert.equal(segmentAllowed(rules, `q${ch}y.md`), false, `${hex}: q[!a]y.md`);
    assert.equal(relPathAllowed(rules, `dir/z${ch}y.md`), false, `${hex}: dir/z[^/]y.md`);
    assert.equal(consent.needs({ rel: `g/x${ch}y.md`, target: `g/x${ch}y.md` }, 1, 1), true, `${hex}: consent`);
    assert.equal(segmentAllowed(rules, `x${ch}${ch}y.md`), true, `${hex}: one "?" took two characters`);
  }
});

test('the census behind the start-up line and `docwarden check` counts what the server hides', async () => {
  const files = Object.fromEntries(ATTACK.map(([, rel]) => [rel, 'TOPSECRET']));
  const p = await partsFor({ ...files, 'ac.md': 'open' }, { files: { deny: [...ATTACK.map(([r]) => r), 'a?c.md'] } });
  const root = p.config.roots[0];
  assert.ok(root);
  const denied = new Map<string, string | undefined>();
  await walkRoot(p.host, p.config, root, false, null, (e) => (denied.set(e.rel, e.denied), e.denied === undefined));
  for (const [rule, rel] of ATTACK) {
    const hit = [...denied].find(([r, d]) => d === rule && (r === rel || rel.startsWith(`${r}/`)));
    assert.ok(hit, `${rel}: the census does not count ${rule}`);
  }
  assert.equal(denied.get('ac.md'), undefined);
});
