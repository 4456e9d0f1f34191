// The regex mode of search_docs: a linear-time engine (parser + Pike VM, no backtracking), so a hostile
// pattern such as `(a+)+$` cannot stall the server the way JavaScript's RegExp can (docs/security.md, "Attack
// families"). Semantics: leftmost-first, like JavaScript (leftmost start, then the Perl-preferred
// alternative).

import { parseRegex, type RegexNode } from './safe_regex_parse.ts';
import { compileProgram, createMatcher, type VmScan } from './safe_regex_vm.ts';

export type SafeRegexOptions = { readonly caseSensitive: boolean };
/** UTF-16 code-unit offsets in the line. */
export type RegexMatch = { readonly index: number; readonly length: number };
export type SafeRegex = {
  /** The leftmost match; among matches starting there, the one JavaScript would pick (lazy `*?` honoured). */
  readonly exec: (line: string) => RegexMatch | null;
  /** The same, in steps the caller can interleave with yields to the event loop (VmScan). */
  readonly scan: (line: string) => VmScan;
  /** A substring every match contains (lowercased when case-insensitive), for an indexOf prefilter. */
  readonly requiredLiteral: string | null;
};

/**
 * Compiles `pattern`, or throws `Cannot compile regex: <reason>` for unsupported or oversized input.
 * Case-insensitive mode folds single code units with toLowerCase/toUpperCase, except that a non-ASCII
 * unit never folds into ASCII (U+017F ſ does not match `s`), as JavaScript's non-Unicode /i does.
 * One known difference from JavaScript: when a quantified group can match the empty string (`(a??)+`),
 * an extra iteration may match empty where JavaScript insists on a non-empty one, so the match may be
 * shorter; its start is the same.
 */
export function compileSafeRegex(pattern: string, options: SafeRegexOptions): SafeRegex {
  const root = parseRegex(pattern);
  const foldCase = !options.caseSensitive;
  const scan = createMatcher(compileProgram(root, foldCase));
  const literal = requiredLiteralOf(root, foldCase);
  const match = (line: string) => scan(line).step(Infinity) ?? null;
  // Case-sensitive literals are exact, so exec can skip the VM for lines that cannot match.
  const exec =
    literal !== null && !foldCase ? (line: string) => (line.includes(literal) ? match(line) : null) : match;
  return Object.freeze({ exec, scan, requiredLiteral: literal });
}

/** What is known about the strings a node matches: exact text (if fixed), a prefix, a suffix, and a substring. */
type LiteralFacts = Readonly<{ exact: string | null; prefix: string; suffix: string; best: string }>;

const EXACTLY_EMPTY: LiteralFacts = { exact: '', prefix: '', suffix: '', best: '' };
const UNKNOWN: LiteralFacts = { exact: null, prefix: '', suffix: '', best: '' };

function requiredLiteralOf(root: RegexNode, foldCase: boolean): string | null {
  const facts = factsOf(root, foldCase);
  const literal = facts.exact ?? facts.best;
  return literal === '' ? null : literal;
}

function exactly(text: string): LiteralFacts {
  return { exact: text, prefix: text, suffix: text, best: text };
}

function longest(...candidates: readonly string[]): string {
  return candidates.reduce((a, b) => (b.length > a.length ? b : a), '');
}

/**
 * A char is usable in a case-insensitive literal only if every unit it matches lowercases to the same
 * text: true for ASCII (folding never crosses ASCII) and for caseless units.
 */
function literalUnit(code: number, foldCase: boolean): string | null {
  const unit = String.fromCharCode(code);
  if (!foldCase) return unit;
  if (code < 128) return unit.toLowerCase();
  return unit.toLowerCase() === unit && unit.toUpperCase() === unit ? unit : null;
}

function factsOf(node: RegexNode, foldCase: boolean): LiteralFacts {
  switch (node.kind) {
    case 'empty':
    case 'assert':
      return EXACTLY_EMPTY;
    case 'char': {
      const unit = literalUnit(node.code, foldCase);
      return unit === null ? UNKNOWN : exactly(unit);
    }
    case 'set':
      return UNKNOWN;
    case 'concat':
      return node.items.map((item) => factsOf(item, foldCase)).reduce(concatFacts, EXACTLY_EMPTY);
    case 'alt': {
      const all = node.items.map((item) => factsOf(item, foldCase));
      const first = all[0]?.exact ?? null;
      if (first !== null && all.every((f) => f.exact === first)) return exactly(first);
      const prefix = all.map((f) => f.prefix).reduce(commonPrefix);
      const suffix = all.map((f) => f.suffix).reduce(commonSuffix);
      return { exact: null, prefix, suffix, best: longest(prefix, suffix) };
    }
    case 'repeat': {
      if (node.max === 0) return EXACTLY_EMPTY;
      if (node.min === 0) return UNKNOWN;
      const item = factsOf(node.item, foldCase);
      if (item.exact === null) return { ...item };
      const mandatory = item.exact.repeat(node.min);
      if (node.min === node.max) return exactly(mandatory);
      return { exact: null, prefix: mandatory, suffix: mandatory, best: mandatory };
    }
  }
}

function concatFacts(left: LiteralFacts, right: LiteralFacts): LiteralFacts {
  if (left.exact !== null && right.exact !== null) return exactly(left.exact + right.exact);
  const prefix = left.exact !== null ? left.exact + right.prefix : left.prefix;
  const suffix = right.exact !== null ? left.suffix + right.exact : right.suffix;
  const best = longest(left.best, right.best, left.suffix + right.prefix, prefix, suffix);
  return { exact: null, prefix, suffix, best };
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function commonSuffix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return a.slice(a.length - i);
}
