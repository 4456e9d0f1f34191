// Compiles a regex AST to a Thompson-NFA program and runs it as a Pike VM: one sparse set of threads per
// input position, so matching costs O(program × line) whatever the pattern (docs/security.md, "Attack families").
// Threads are kept in priority order, giving leftmost-first (Perl/JavaScript) match semantics.

import { compileError, type RegexNode } from './safe_regex_parse.ts';

// The cost budget: each input character costs at most one step per state (about 10-20 ns each, so
// 1,000 states is 10-20 µs per character); a larger program is refused when compiled, not run slowly.
export const MAX_PROGRAM_SIZE = 1000;
const TOO_LARGE = `pattern too large: over ${MAX_PROGRAM_SIZE} states, ` +
  `the cost limit of ${MAX_PROGRAM_SIZE} steps per character`;

const OP_CHAR = 0;
const OP_SET = 1;
const OP_SPLIT = 2; // try x first, then y
const OP_JMP = 3;
const OP_ASSERT = 4;
const OP_MATCH = 5;
const ASSERT_CODES = { bol: 0, eol: 1, word: 2, notWord: 3 } as const;

type CompiledSet = { readonly ascii: Uint8Array; readonly high: Int32Array; readonly negated: boolean };
type ThreadList = { readonly pcs: Int32Array; readonly starts: Int32Array; count: number };
export type VmMatch = { readonly index: number; readonly length: number };

/** Simple case mapping of one code unit, or -1; a non-ASCII unit never folds into ASCII (as in JavaScript /i). */
function foldTo(code: number, mapped: string): number {
  if (mapped.length !== 1) return -1;
  const m = mapped.charCodeAt(0);
  return code >= 128 && m < 128 ? -1 : m;
}
const lowerOf = (code: number): number => foldTo(code, String.fromCharCode(code).toLowerCase());
const upperOf = (code: number): number => foldTo(code, String.fromCharCode(code).toUpperCase());

// [0-9A-Za-z_] as UTF-16 units
const isWordUnit = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
  c === 95;

function compileSet(ranges: readonly number[], negated: boolean, foldCase: boolean): CompiledSet {
  const ascii = new Uint8Array(128);
  const high: number[] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = ranges[i] ?? 0;
    const hi = ranges[i + 1] ?? 0;
    for (let c = lo; c <= Math.min(hi, 127); c++) {
      ascii[c] = 1;
      // ASCII input is folded here once, so matching an ASCII unit is a single table look-up.
      if (foldCase) ascii[lowerOf(c)] = ascii[upperOf(c)] = 1;
    }
    if (hi >= 128) high.push(Math.max(lo, 128), hi);
  }
  return { ascii, high: Int32Array.from(high), negated };
}

function highHas(high: Int32Array, c: number): boolean {
  let lo = 0;
  let hi = (high.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < (high[mid * 2] ?? 0)) hi = mid - 1;
    else if (c > (high[mid * 2 + 1] ?? 0)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The Pike VM program: parallel instruction arrays plus the compiled character sets. */
export type Program = {
  readonly op: Uint8Array; // opcode per instruction; x and y hold its operands
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly sets: readonly CompiledSet[];
  readonly foldCase: boolean;
};

export function compileProgram(root: RegexNode, foldCase: boolean): Program {
  const op: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const sets: CompiledSet[] = [];
  const emit = (code: number, a: number, b: number): number => {
    if (op.length >= MAX_PROGRAM_SIZE) throw compileError(TOO_LARGE);
    op.push(code);
    x.push(a);
    y.push(b);
    return op.length - 1;
  };
  const emitSet = (ranges: readonly number[], negated: boolean): void => {
    sets.push(compileSet(ranges, negated, foldCase));
    emit(OP_SET, sets.length - 1, 0);
  };
  const split = (greedy: boolean, body: number, out: number): [number, number] => (greedy ? [body, out] : [out, body]);

  function gen(node: RegexNode): void {
    switch (node.kind) {
      case 'empty':
        return;
      case 'char': {
        const variants = foldCase ? [...new Set([node.code, lowerOf(node.code), upperOf(node.code)])] : [node.code];
        const codes = variants.filter((c) => c >= 0);
        if (codes.length === 1) emit(OP_CHAR, node.code, 0);
        else emitSet(codes.flatMap((c) => [c, c]).sort((a, b) => a - b), false);
        return;
      }
      case 'set':
        return emitSet(node.ranges, node.negated);
      case 'assert':
        return void emit(OP_ASSERT, ASSERT_CODES[node.what], 0);
      case 'concat':
        for (const item of node.items) gen(item);
        return;
      case 'alt': {
        const exits: number[] = [];
        node.items.forEach((item, i) => {
          if (i === node.items.length - 1) return gen(item);
          const fork = emit(OP_SPLIT, op.length + 1, 0); // this branch first, the rest if it fails
          gen(item);
          exits.push(emit(OP_JMP, 0, 0));
          y[fork] = op.length;
        });
        for (const exit of exits) x[exit] = op.length;
        return;
      }
      case 'repeat':
        return genRepeat(node.item, node.min, node.max, node.greedy);
    }
  }

  function genRepeat(item: RegexNode, min: number, max: number, greedy: boolean): void {
    const start = op.length;
    for (let i = 0; i < min - (max === -1 && min > 0 ? 1 : 0); i++) {
      gen(item);
      if (op.length === start) break; // `((){100}){100}…` emits nothing: stop instead of looping 100^k times
    }
    if (max === -1 && min > 0) {
      // x+ as `L: x; split L, out` re-uses the last mandatory copy as the loop body.
      const body = op.length;
      gen(item);
      const fork = emit(OP_SPLIT, 0, 0);
      [x[fork], y[fork]] = split(greedy, body, fork + 1);
    } else if (max === -1) {
      const fork = emit(OP_SPLIT, 0, 0);
      gen(item);
      emit(OP_JMP, fork, 0);
      [x[fork], y[fork]] = split(greedy, fork + 1, op.length);
    } else {
      // x{0,k} as nested options (x(x(x)?)?)?: every split jumps to the common exit.
      const forks: number[] = [];
      for (let i = min; i < max; i++) {
        forks.push(emit(OP_SPLIT, 0, 0));
        gen(item);
      }
      for (const fork of forks) [x[fork], y[fork]] = split(greedy, fork + 1, op.length);
    }
  }

  gen(root);
  emit(OP_MATCH, 0, 0);
  return { op: Uint8Array.from(op), x: Int32Array.from(x), y: Int32Array.from(y), sets, foldCase };
}

const MARK_RESET_AT = 0x3fffffff;

/**
 * One scan of one line. `step(work)` advances by about `work` thread steps and returns the match, null
 * (none), or undefined when the line is not finished: the caller may yield to the event loop between
 * steps, so a long line never blocks it (docs/security.md, "Time").
 */
export type VmScan = { readonly step: (work: number) => VmMatch | null | undefined };

/** Returns a reusable matcher; its scratch arrays are allocated once (one scan at a time per matcher). */
export function createMatcher(program: Program): (line: string) => VmScan {
  const { op, x, y, sets, foldCase } = program;
  const size = op.length;
  const newList = (): ThreadList => ({ pcs: new Int32Array(size), starts: new Int32Array(size), count: 0 });
  let clist = newList();
  let nlist = newList();
  const marks = new Int32Array(size).fill(-1); // marks[pc] === generation: pc already on the list being built
  const stack = new Int32Array(2 * size + 2);
  let generationBase = 0;
  let text = '';

  function assertHolds(kind: number, pos: number): boolean {
    if (kind === ASSERT_CODES.bol) return pos === 0;
    if (kind === ASSERT_CODES.eol) return pos === text.length;
    const before = pos > 0 && isWordUnit(text.charCodeAt(pos - 1));
    const after = pos < text.length && isWordUnit(text.charCodeAt(pos));
    return (before !== after) === (kind === ASSERT_CODES.word);
  }

  /** Follows the epsilon closure of pc in priority order (explicit stack, no recursion). */
  function addThread(list: ThreadList, pc0: number, pos: number, generation: number, start: number): void {
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp] ?? 0;
      if (marks[pc] === generation) continue;
      marks[pc] = generation;
      switch (op[pc]) {
        case OP_JMP:
          stack[sp++] = x[pc] ?? 0;
          break;
        case OP_SPLIT:
          stack[sp++] = y[pc] ?? 0; // pushed first, so explored after x: x has priority
          stack[sp++] = x[pc] ?? 0;
          break;
        case OP_ASSERT:
          if (assertHolds(x[pc] ?? 0, pos)) stack[sp++] = pc + 1;
          break;
        default:
          list.pcs[list.count] = pc;
          list.starts[list.count] = start;
          list.count++;
      }
    }
  }

  function setHas(set: CompiledSet, c: number, lower: number, upper: number): boolean {
    // lower and upper are -1 (never in a set) unless folding a non-ASCII unit.
    const hit = c < 128 ? set.ascii[c] === 1
      : highHas(set.high, c) || highHas(set.high, lower) || highHas(set.high, upper);
    return hit !== set.negated;
  }

  return (line: string): VmScan => {
    const n = line.length;
    if (generationBase + n + 2 > MARK_RESET_AT) {
      marks.fill(-1);
      generationBase = 0;
    }
    const base = generationBase;
    generationBase += n + 2;
    text = line;
    clist.count = 0;
    let matchStart = -1;
    let matchEnd = -1;
    let pos = 0;
    const finish = () => (matchStart < 0 ? null : { index: matchStart, length: matchEnd - matchStart });
    const step = (work: number): VmMatch | null | undefined => {
      for (; pos <= n; pos++) {
        if (work <= 0) return undefined;
        // A new thread per position, at the lowest priority, until a match is found: leftmost semantics.
        if (matchStart < 0) addThread(clist, 0, pos, base + pos, pos);
        if (clist.count === 0 && matchStart >= 0) return finish();
        work -= clist.count + 1;
        const c = pos < n ? line.charCodeAt(pos) : -1;
        const foldHigh = foldCase && c >= 128;
        const lower = foldHigh ? lowerOf(c) : -1;
        const upper = foldHigh ? upperOf(c) : -1;
        nlist.count = 0;
        for (let t = 0; t < clist.count; t++) {
          const pc = clist.pcs[t] ?? 0;
          const kind = op[pc];
          if (kind === OP_MATCH) {
            matchStart = clist.starts[t] ?? 0;
            matchEnd = pos;
            break; // lower-priority threads are cut; higher ones already advanced may still extend
          }
          const set = kind === OP_SET ? sets[x[pc] ?? 0] : undefined;
          const ok = c >= 0 && (set === undefined ? c === x[pc] : setHas(set, c, lower, upper));
          if (ok) addThread(nlist, pc + 1, pos + 1, base + pos + 1, clist.starts[t] ?? 0);
        }
        const swap = clist;
        clist = nlist;
        nlist = swap;
      }
      return finish();
    };
    return { step };
  };
}
