// One definition, two faces: each builder yields the JSON Schema a client sees and the hand-written reader
// that enforces exactly it (docs/style.md, "Validation reads like the schema"). Readers copy checked fields
// into fresh objects, reject unknown keys and prototype-named keys, and cap every length (docs/security.md,
// "Controls").

import { escapeName } from '../text/escape.ts';

export type JsonSchema = Readonly<Record<string, unknown>>;
export type Schema<T> = { readonly json: JsonSchema; readonly read: (value: unknown, at: string) => T };
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A bad argument: the message names the field, the rule and the limit, and is safe to show. */
export class ArgumentError extends Error {}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A client's string or number, quoted for a message (1e999 parses as Infinity, which JSON cannot show). */
export function quote(value: string | number): string {
  const s = Number.isFinite(value) || typeof value === 'string' ? JSON.stringify(value) : String(value);
  // The value is the client's own, but echoes must not carry bidi, zero-width or control characters.
  return escapeName(s.length > 60 ? s.slice(0, 57) + '...' : s);
}

function fail(at: string, rule: string, got?: string | number): never {
  throw new ArgumentError(`\`${at}\` ${rule}` + (got === undefined ? '' : ` (got ${quote(got)})`));
}

function failType(at: string, rule: string, v: unknown): never {
  const type = v === null ? 'null' : Array.isArray(v) ? 'an array'
    : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  throw new ArgumentError(`\`${at}\` ${rule} (got ${type})`);
}

type StringOptions = {
  readonly description: string;
  readonly minLength?: number;
  readonly maxLength: number;
  readonly pattern?: { readonly source: string; readonly hint: string };
};

export function string(o: StringOptions): Schema<string> {
  const min = o.minLength ?? 0;
  const re = o.pattern ? new RegExp(o.pattern.source, 'u') : null;
  const json = { type: 'string', description: o.description, ...(min > 0 ? { minLength: min } : {}),
    maxLength: o.maxLength, ...(o.pattern ? { pattern: o.pattern.source } : {}) };
  return {
    json,
    read(v, at) {
      if (typeof v !== 'string') failType(at, 'must be a string', v);
      if (v.length < min) fail(at, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
      if (v.length > o.maxLength) fail(at, `must be at most ${o.maxLength} characters (got ${v.length})`);
      if (re && !re.test(v)) fail(at, o.pattern?.hint ?? 'has an invalid format', v);
      return v;
    },
  };
}

/** One of a fixed set of strings; the reader's result has the literal type, so no caller casts. */
export function oneOf<const V extends string>(values: readonly V[], description: string): Schema<V> {
  const isOne = (v: string): v is V => (values as readonly string[]).includes(v);
  return {
    json: { type: 'string', description, enum: [...values] },
    read(v, at) {
      if (typeof v !== 'string') failType(at, 'must be a string', v);
      if (!isOne(v)) fail(at, `must be one of ${values.map((e) => `"${e}"`).join(', ')}`, v);
      return v;
    },
  };
}

type NumberOptions = { readonly description: string; readonly minimum: number; readonly maximum: number };

export function integer(o: NumberOptions): Schema<number> {
  return {
    json: { type: 'integer', description: o.description, minimum: o.minimum, maximum: o.maximum },
    read(v, at) {
      if (typeof v !== 'number') failType(at, 'must be an integer', v);
      if (!Number.isInteger(v)) fail(at, 'must be an integer', v);
      if (v < o.minimum || v > o.maximum) fail(at, `must be from ${o.minimum} to ${o.maximum}`, v);
      return v;
    },
  };
}

export function boolean(description: string): Schema<boolean> {
  return {
    json: { type: 'boolean', description },
    read: (v, at) => (typeof v === 'boolean' ? v : failType(at, 'must be true or false', v)),
  };
}

export function array<T>(item: Schema<T>, o: { readonly description: string; readonly maxItems: number }): Schema<T[]> {
  return {
    json: { type: 'array', description: o.description, items: item.json, maxItems: o.maxItems },
    read(v, at) {
      if (!Array.isArray(v)) failType(at, 'must be an array', v);
      if (v.length > o.maxItems) fail(at, `must have at most ${o.maxItems} items (got ${v.length})`);
      return v.map((x, i) => item.read(x, `${at}[${i}]`));
    },
  };
}

/** Output-only helper: a value that may be null. */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  const t = inner.json['type'];
  return { json: { ...inner.json, type: [t, 'null'] }, read: (v, at) => (v === null ? null : inner.read(v, at)) };
}

/** Output-only: a free-form string map (front matter fields). Outputs are described to clients, never read. */
export function stringMap(description: string): Schema<Record<string, string>> {
  const read = (): never => { throw new Error('stringMap() describes an output: nothing reads input with it'); };
  return { json: { type: 'object', description, additionalProperties: { type: 'string' } }, read };
}

type Props = Readonly<Record<string, Schema<unknown>>>;
type ObjectOf<P extends Props, R extends keyof P> = { -readonly [K in R]: Infer<P[K]> } & {
  -readonly [K in Exclude<keyof P, R>]?: Infer<P[K]>;
};

export function object<P extends Props, R extends keyof P & string>(
  props: P, required: readonly R[],
): Schema<ObjectOf<P, R>> {
  const names = Object.keys(props);
  const properties = Object.fromEntries(names.map((n) => [n, (props[n] as Schema<unknown>).json]));
  const requiredList = required.length > 0 ? { required: [...required] } : {}; // never an empty list
  return {
    json: { type: 'object', properties, ...requiredList, additionalProperties: false },
    read(v, at) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) failType(at, 'must be an object', v);
      const input = v as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (FORBIDDEN_KEYS.has(key)) fail(at, `must not contain the key "${key}"`);
        if (!Object.hasOwn(props, key)) {
          const allowed = names.length > 0 ? `; allowed: ${names.join(', ')}` : '; it takes no arguments';
          throw new ArgumentError(`\`${at}\` has an unknown key ${quote(key)}${allowed}`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const value = input[name];
        if (value === undefined) {
          if ((required as readonly string[]).includes(name)) fail(at, `is missing the required key "${name}"`);
          continue;
        }
        out[name] = (props[name] as Schema<unknown>).read(value, at === 'arguments' ? name : `${at}.${name}`);
      }
      return out as ObjectOf<P, R>;
    },
  };
}
