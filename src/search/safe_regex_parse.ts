// Parses the search_docs regex subset into a small AST. It refuses every feature that needs backtracking
// (backreferences, lookaround) and caps pattern length and {m,n} counts, so that the Pike VM in
// safe_regex_vm.ts runs every accepted pattern in O(pattern × line) time (docs/security.md, "Attack
// families").

export type AssertKind = 'bol' | 'eol' | 'word' | 'notWord';

/** Sorted, disjoint, non-adjacent [lo, hi] pairs of UTF-16 code units. */
export type CharRanges = readonly number[];

export type RegexNode =
  | { readonly kind: 'empty' }
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'set'; readonly ranges: CharRanges; readonly negated: boolean }
  | { readonly kind: 'assert'; readonly what: AssertKind }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly items: readonly RegexNode[] }
  // max = -1: unbounded
  | Readonly<{ kind: 'repeat'; item: RegexNode; min: number; max: number; greedy: boolean }>;

export const MAX_PATTERN_LENGTH = 512;
export const MAX_REPEAT_COUNT = 100;

export function compileError(reason: string): Error {
  return new Error(`Cannot compile regex: ${reason}`);
}

function normalizeRanges(pairs: readonly number[]): number[] {
  const list: (readonly [number, number])[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) list.push([pairs[i] ?? 0, pairs[i + 1] ?? 0]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] ?? 0) + 1) out[last] = Math.max(out[last] ?? 0, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complementRanges(ranges: CharRanges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i] ?? 0;
    if (lo > next) out.push(next, lo - 1);
    next = (ranges[i + 1] ?? 0) + 1;
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

const DIGIT: CharRanges = [0x30, 0x39];
const WORD: CharRanges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// The same white space as JavaScript's \s (WhiteSpace + LineTerminator).
const SPACE: CharRanges = normalizeRanges([
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f,
  0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
]);
const CLASS_ESCAPES: Readonly<Record<string, CharRanges>> = { d: DIGIT, w: WORD, s: SPACE };
const NEGATED_CLASS_ESCAPES: Readonly<Record<string, CharRanges>> = { D: DIGIT, W: WORD, S: SPACE };
function classEscape(c: string): CharRanges | undefined {
  const negated = NEGATED_CLASS_ESCAPES[c];
  return negated === undefined ? CLASS_ESCAPES[c] : complementRanges(negated);
}
const SIMPLE_ATOMS: Readonly<Record<string, RegexNode>> = {
  '.': { kind: 'set', ranges: [0, 9, 11, 0xffff], negated: false }, // any unit but \n
  '^': { kind: 'assert', what: 'bol' },
  $: { kind: 'assert', what: 'eol' },
};
const EMPTY: RegexNode = { kind: 'empty' };
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
const HEX = /^[0-9a-fA-F]+$/;
const QUANTIFIER_BRACES = /^\{(\d+)(,(\d*))?\}/;
const GROUP_NAME = /^<([A-Za-z_$][\w$]*)>/;

const asPairs = (part: number | CharRanges): CharRanges => (typeof part === 'number' ? [part, part] : part);

type Quantifier = { readonly min: number; readonly max: number; readonly greedy: boolean };

export function parseRegex(pattern: string): RegexNode {
  if (pattern.length === 0) throw compileError('empty pattern');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw compileError(`pattern too long (${pattern.length} characters, limit ${MAX_PATTERN_LENGTH})`);
  }
  let pos = 0;
  const ch = (at: number): string => pattern.charAt(at); // '' past the end

  function parseAlternation(): RegexNode {
    const items = [parseSequence()];
    while (ch(pos) === '|') {
      pos++;
      items.push(parseSequence());
    }
    return items.length === 1 ? (items[0] ?? EMPTY) : { kind: 'alt', items };
  }

  function parseSequence(): RegexNode {
    const items: RegexNode[] = [];
    while (pos < pattern.length && ch(pos) !== '|' && ch(pos) !== ')') {
      const atomStart = pos;
      const atom = parseAtom();
      const quantifierAt = pos;
      const quantifier = readQuantifier();
      if (quantifier === null) {
        items.push(atom);
        continue;
      }
      const bareAssertion = atom.kind === 'assert' && ch(atomStart) !== '(';
      if (bareAssertion) throw compileError(`nothing to repeat at position ${quantifierAt}`);
      const nestedAt = pos;
      // `a*+` is a possessive quantifier elsewhere; JavaScript rejects it, and so do we.
      if (readQuantifier() !== null) {
        throw compileError(`nested quantifier at position ${nestedAt} (possessive quantifiers are not supported)`);
      }
      items.push({ kind: 'repeat', item: atom, ...quantifier });
    }
    return items.length === 1 ? (items[0] ?? EMPTY) : items.length === 0 ? EMPTY : { kind: 'concat', items };
  }

  function readQuantifier(): Quantifier | null {
    const c = ch(pos);
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      pos++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : -1;
    } else {
      const braces = c === '{' ? QUANTIFIER_BRACES.exec(pattern.slice(pos, pos + 16)) : null;
      if (braces === null) return null; // a `{` that is not a quantifier is a literal, as in JavaScript
      min = countOf(braces[1] ?? '');
      max = braces[2] === undefined ? min : braces[3] === '' ? -1 : countOf(braces[3] ?? '');
      if (max !== -1 && max < min) throw compileError(`numbers out of order in ${JSON.stringify(braces[0])}`);
      pos += braces[0].length;
    }
    // Lazy quantifiers are honoured: the VM simply flips the priority of the split.
    const greedy = ch(pos) !== '?';
    if (!greedy) pos++;
    return { min, max, greedy };
  }

  function countOf(digits: string): number {
    if (digits.length <= 3 && Number(digits) <= MAX_REPEAT_COUNT) return Number(digits);
    throw compileError(`repetition count above ${MAX_REPEAT_COUNT} at position ${pos}`);
  }

  function parseAtom(): RegexNode {
    const start = pos;
    const c = ch(pos++);
    const simple = SIMPLE_ATOMS[c];
    if (simple !== undefined) return simple;
    if (c === '(') return parseGroup(start);
    if (c === '[') return parseClass(start);
    if (c === '\\') return parseEscape();
    if (c === ']') throw compileError(`unbalanced brackets: unmatched "]" at position ${start}`);
    if ('*+?'.includes(c) || (c === '{' && QUANTIFIER_BRACES.test(pattern.slice(start, start + 16)))) {
      throw compileError(`nothing to repeat at position ${start}`);
    }
    return { kind: 'char', code: c.charCodeAt(0) }; // includes a `{` that starts no quantifier, as in JavaScript
  }

  function parseGroup(start: number): RegexNode {
    if (ch(pos) === '?') {
      const head = pattern.slice(pos, pos + 3);
      const name = GROUP_NAME.exec(pattern.slice(pos + 1, pos + 80));
      if (head.startsWith('?:')) pos += 2;
      else if (head.startsWith('?=') || head.startsWith('?!')) throw compileError('lookahead is not supported');
      else if (head === '?<=' || head === '?<!') throw compileError('lookbehind is not supported');
      else if (name !== null) pos += 1 + name[0].length; // named groups act as plain groups
      else throw compileError(`unsupported group syntax ${JSON.stringify(`(${head}`)} at position ${start}`);
    }
    const inner = parseAlternation();
    if (ch(pos) !== ')') throw compileError(`unbalanced parentheses: "(" at position ${start} is not closed`);
    pos++;
    return inner;
  }

  function parseEscape(): RegexNode {
    const c = ch(pos);
    const ranges = classEscape(c);
    if (ranges === undefined && c !== 'b' && c !== 'B') return { kind: 'char', code: parseCharEscape(false) };
    pos++;
    if (ranges !== undefined) return { kind: 'set', ranges, negated: false };
    return { kind: 'assert', what: c === 'b' ? 'word' : 'notWord' };
  }

  /** Reads the escape after a backslash (pos is just past it) and returns its code unit. */
  function parseCharEscape(inClass: boolean): number {
    const at = pos - 1;
    const c = ch(pos++);
    if (c === '') throw compileError('pattern ends with a backslash');
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    if (c === 'b' && inClass) return 8;
    if (c === '0' && !/[0-9]/.test(ch(pos))) return 0;
    if (c >= '0' && c <= '9') {
      throw compileError(inClass ? 'octal escapes are not supported' : 'backreferences are not supported');
    }
    if (c === 'k') throw compileError('backreferences are not supported');
    if (c === 'p' || c === 'P') throw compileError('Unicode property escapes are not supported');
    if (c === 'x' || c === 'u') {
      const digits = pattern.slice(pos, pos + (c === 'x' ? 2 : 4));
      if (digits.length !== (c === 'x' ? 2 : 4) || !HEX.test(digits)) {
        throw compileError(`invalid \\${c} escape at position ${at}`);
      }
      pos += digits.length;
      return parseInt(digits, 16);
    }
    if (c === 'c' && /^[A-Za-z]$/.test(ch(pos))) return pattern.charCodeAt(pos++) % 32;
    if (/^[A-Za-z0-9]$/.test(c)) throw compileError(`unknown escape ${JSON.stringify(`\\${c}`)} at position ${at}`);
    return c.charCodeAt(0); // an escaped punctuation mark (or any other non-alphanumeric) is itself
  }

  function parseClass(start: number): RegexNode {
    const negated = ch(pos) === '^';
    if (negated) pos++;
    const pairs: number[] = [];
    for (;;) {
      if (pos >= pattern.length) throw compileError(`unbalanced brackets: "[" at position ${start} is not closed`);
      if (ch(pos) === ']') break;
      if (ch(pos) === '[' && ch(pos + 1) === ':') throw compileError('POSIX classes like [:alpha:] are not supported');
      const lo = parseClassAtom();
      if (ch(pos) === '-' && ch(pos + 1) !== ']' && pos + 1 < pattern.length) {
        pos++;
        const hi = parseClassAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') {
          pairs.push(...asPairs(lo), 0x2d, 0x2d, ...asPairs(hi)); // `[\w-.]`: a literal dash, as in JavaScript
        } else if (hi < lo) {
          throw compileError(`range out of order in character class at position ${pos}`);
        } else pairs.push(lo, hi);
      } else pairs.push(...asPairs(lo));
    }
    pos++;
    return { kind: 'set', ranges: normalizeRanges(pairs), negated };
  }

  function parseClassAtom(): number | CharRanges {
    const c = ch(pos++);
    if (c !== '\\') return c.charCodeAt(0);
    const ranges = classEscape(ch(pos));
    if (ranges === undefined) return parseCharEscape(true);
    pos++;
    return ranges;
  }

  const root = parseAlternation();
  if (pos < pattern.length) throw compileError(`unbalanced parentheses: unmatched ")" at position ${pos}`);
  return root;
}
