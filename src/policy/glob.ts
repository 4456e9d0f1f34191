// Glob matcher for find_docs, search_docs `glob` and the operator's deny patterns. Keeps the
// exhaustion rule: patterns are bounded at compile time and matched by an NFA simulation (Thompson),
// so matching is O(path length × pattern size) and no pattern can backtrack catastrophically.

/** `fold` folds the pattern's literals once its syntax is read as written (`［` stays a literal "["); `matches` then
 * takes text folded the same way. `below`: or does it match every name in this folder (`dir/**`, `dir/*`)? */
export type GlobOptions = { readonly fold?: (s: string) => string };
export type Glob = { readonly matches: (path: string, below?: boolean) => boolean };

const MAX_PATTERN_LENGTH = 512;
const MAX_ALTERNATIVES = 32;
const MAX_BRACE_DEPTH = 3;

type Node =
  | { readonly t: 'lit'; readonly c: string }
  | { readonly t: 'any' } // `?`
  | { readonly t: 'star' } // `*`
  | { readonly t: 'deep' } // `**` at the end of a segment run: any characters, '/' included
  | { readonly t: 'dirs' } // `**/`: zero or more whole segments, i.e. (?:.*\/)?
  | { readonly t: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly t: 'alt'; readonly alts: readonly (readonly Node[])[] };

type State =
  | { readonly kind: 'split'; outs: number[] }
  | { readonly kind: 'step'; readonly test: (c: string) => boolean; next: number }
  | { readonly kind: 'match' };

function fail(reason: string): never {
  throw new Error(`Cannot compile glob: ${reason}`);
}

/** Parses a pattern (as code points) into a node list, enforcing every compile-time limit. */
function parse(cs: readonly string[], fold: (s: string) => string): Node[] {
  let i = 0;
  let alternatives = 0;

  // `atSegmentStart` tells whether a `**` here begins a path segment (start, after '/', or at the
  // start of an alternative whose brace itself began a segment).
  function seq(depth: number, atSegmentStart: boolean): Node[] {
    const out: Node[] = [];
    let boundary = atSegmentStart;
    let lits = ''; // literals fold a run at a time: NFKC composes across characters ("e" + U+0301 is "é")
    const flush = (): void => { for (const l of fold(lits)) out.push({ t: 'lit', c: l }); lits = ''; };
    while (i < cs.length) {
      const c = cs[i] as string;
      if (depth > 0 && (c === ',' || c === '}')) break;
      if (depth === 0 && c === '}') fail('unbalanced "}"');
      i++;
      if ('*?[{'.includes(c)) flush();
      if (c === '\\') {
        const next = cs[i++];
        if (next === undefined) fail('pattern ends with a backslash');
        lits += next;
        boundary = next === '/';
      } else if (c === '*') {
        let run = 1;
        while (cs[i] === '*') { i++; run++; }
        const after = cs[i];
        const endsSegment = after === undefined || after === '/' || (depth > 0 && (after === ',' || after === '}'));
        if (run >= 2 && boundary && endsSegment) {
          if (after === '/') { i++; out.push({ t: 'dirs' }); boundary = true; continue; }
          out.push({ t: 'deep' });
        } else out.push({ t: 'star' });
        boundary = false;
      } else if (c === '?') { out.push({ t: 'any' }); boundary = false; }
      else if (c === '[') { out.push(charClass()); boundary = false; }
      else if (c === '{') { out.push(brace(depth + 1, boundary)); boundary = false; }
      else { lits += c; boundary = c === '/'; }
    }
    flush();
    return out;
  }

  function brace(depth: number, atSegmentStart: boolean): Node {
    if (depth > MAX_BRACE_DEPTH) fail(`braces nested deeper than ${MAX_BRACE_DEPTH}`);
    const alts: Node[][] = [];
    for (;;) {
      if (++alternatives > MAX_ALTERNATIVES) fail(`more than ${MAX_ALTERNATIVES} brace alternatives`);
      alts.push(seq(depth, atSegmentStart));
      const c = cs[i++];
      if (c === '}') return { t: 'alt', alts };
      if (c !== ',') fail('unclosed "{"');
    }
  }

  // POSIX-style class: `]` first is literal, `!` or `^` negates, `a-z` ranges, backslash escapes.
  function charClass(): Node {
    let negated = false;
    if (cs[i] === '!' || cs[i] === '^') { negated = true; i++; }
    const ranges: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      let c = cs[i++];
      if (c === undefined) fail('unclosed "["');
      if (c === ']' && !first) return { t: 'class', negated, ranges };
      first = false;
      if (c === '\\') c = cs[i++] ?? fail('unclosed "["');
      let hi = c;
      if (cs[i] === '-' && cs[i + 1] !== undefined && cs[i + 1] !== ']') {
        i++;
        hi = cs[i++] as string;
        if (hi === '\\') hi = cs[i++] ?? fail('unclosed "["');
      }
      const [lo, up] = [c, hi].map((x) => { // a class matches one character: its members must fold to one
        const f = [...fold(x)];
        return f.length === 1 ? f[0]?.codePointAt(0) ?? 0 : fail(`"${x}" in a class folds to "${f.join('')}"`);
      }) as [number, number];
      if (up < lo) fail('reversed range in character class');
      // The range as written too: folding its ends alone made `[A-z]` miss "_" (sbe19); a member only ever adds.
      ranges.push([lo, up], [c.codePointAt(0) ?? 0, Math.max(c.codePointAt(0) ?? 0, hi.codePointAt(0) ?? 0)]);
    }
  }

  const nodes = seq(0, true);
  if (i < cs.length) fail('unbalanced "}"');
  return nodes;
}

function inRange(c: string, ranges: readonly (readonly [number, number])[]): boolean {
  const cp = c.codePointAt(0) ?? -1;
  return ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
}

function classTest({ ranges, negated }: Extract<Node, { t: 'class' }>): (c: string) => boolean {
  return (c) => c !== '/' && inRange(c, ranges) !== negated; // a class never crosses a segment boundary
}

/** Builds the NFA back to front: each node is compiled with its continuation state already known. */
function buildNfa(nodes: readonly Node[]): { states: State[]; start: number; rest: Set<number> } {
  const states: State[] = [{ kind: 'match' }];
  // A `*` or `**` that ends the pattern: reached after a folder's "/", every name in the folder matches (`below`).
  const rest = new Set<number>();
  const add = (s: State): number => states.push(s) - 1;
  const step = (test: (c: string) => boolean, next: number): number => add({ kind: 'step', test, next });
  const notSlash = (c: string): boolean => c !== '/';
  const anyChar = (): boolean => true;
  const loop = (test: (c: string) => boolean, next: number, toEnd = false): number => {
    const split = add({ kind: 'split', outs: [] });
    const body = step(test, split);
    if (toEnd) rest.add(body);
    (states[split] as { outs: number[] }).outs = [body, next];
    return split;
  };
  const seq = (list: readonly Node[], next: number): number => {
    let at = next;
    for (let k = list.length - 1; k >= 0; k--) at = one(list[k] as Node, at);
    return at;
  };
  const one = (node: Node, next: number): number => {
    switch (node.t) {
      case 'lit': return step((c) => c === node.c, next);
      case 'any': return step(notSlash, next);
      case 'star': return loop(notSlash, next, next === 0);
      case 'deep': return loop(anyChar, next, next === 0);
      case 'dirs': {
        const tail = add({ kind: 'split', outs: [] });
        (states[tail] as { outs: number[] }).outs = [step(anyChar, tail), step((c) => c === '/', next)];
        return add({ kind: 'split', outs: [next, tail] });
      }
      case 'class': return step(classTest(node), next);
      case 'alt': return add({ kind: 'split', outs: node.alts.map((a) => seq(a, next)) });
    }
  };
  return { states, start: seq(nodes, 0), rest };
}

function simulate(states: readonly State[], start: number, text: string, rest?: ReadonlySet<number>): boolean {
  const seen = new Uint32Array(states.length);
  let gen = 1;
  let current: number[] = [];
  const close = (from: number, into: number[]): void => {
    const stack = [from];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen[s] === gen) continue;
      seen[s] = gen;
      const st = states[s] as State;
      if (st.kind === 'split') for (let k = st.outs.length - 1; k >= 0; k--) stack.push(st.outs[k] as number);
      else into.push(s);
    }
  };
  close(start, current);
  for (const c of text) {
    gen++;
    const next: number[] = [];
    for (const s of current) {
      const st = states[s] as State;
      if (st.kind === 'step' && st.test(c)) close(st.next, next);
    }
    if (next.length === 0) return false;
    current = next;
  }
  return current.some((s) => (rest ? rest.has(s) : (states[s] as State).kind === 'match'));
}

/** Compiles a glob. Patterns without '/' match the basename only, like .gitignore and ripgrep. */
export function compileGlob(pattern: string, options: GlobOptions = {}): Glob {
  if (pattern.length === 0) fail('pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) fail(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(pattern)) fail('pattern contains a control character');
  // A leading '/' anchors at the root (paths are root-relative), as in .gitignore.
  const anchored = pattern.startsWith('/');
  const body = anchored ? pattern.slice(1) : pattern;
  if (body.length === 0) fail('pattern is empty');
  const fold = options.fold ?? ((s: string) => s);
  const basenameOnly = !anchored && !body.includes('/');
  if (basenameOnly && /^[^?[\]{}\\]+$/.test(body)) return starLiteralGlob(body, fold);
  // "**/name-pattern" matches the name at any depth: the same as the bare name pattern.
  if (!anchored && body.startsWith('**/') && /^[^?[\]{}\\/]+$/.test(body.slice(3)) && !body.slice(3).includes('**')) {
    return starLiteralGlob(body.slice(3), fold);
  }
  const nodes = parse(Array.from(body), fold);
  const { states, start, rest } = buildNfa(nodes);
  // A match holds every literal outside braces in order, so a text without the longest run of them has none.
  const runs = nodes.map((n) => (n.t === 'lit' ? n.c : '\n')).join('').split('\n');
  const run = runs.reduce((a, b) => (b.length > a.length ? b : a));
  return {
    matches(path, below = false) {
      const text = basenameOnly ? path.slice(path.lastIndexOf('/') + 1) : path;
      if (text.includes(run) && simulate(states, start, text)) return true;
      return below && simulate(states, start, `${text}/`, rest);
    },
  };
}


/**
 * Fast path for the common name patterns (".env", "*.pem", "id_rsa*", "*secret*"): only literals and
 * "*" within one name. Greedy leftmost matching of the literal parts is exact for such patterns and
 * linear in the name length, so it keeps the no-backtracking guarantee.
 */
function starLiteralGlob(body: string, fold: (s: string) => string): Glob {
  const parts = body.split('*').map(fold);
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  return {
    matches(path: string): boolean {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (parts.length === 1) return name === first;
      if (name.length < minLength || !name.startsWith(first) || !name.endsWith(last)) return false;
      let at = first.length;
      const end = name.length - last.length;
      for (let i = 1; i < parts.length - 1; i++) {
        const part = parts[i] as string;
        const found = name.indexOf(part, at);
        if (found === -1 || found + part.length > end) return false;
        at = found + part.length;
      }
      return true;
    },
  };
}
