// Seeded generators and mutators for the fuzz targets: a tiny PRNG (mulberry32), hostile byte streams
// for the frame reader, mutated JSON-RPC messages for the envelope parser, and mutated tool arguments
// for the argument readers. Same seed, same inputs: a failure is reproduced by its seed alone.

export type Rng = {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  readonly int: (n: number) => number;
  readonly pick: <T>(xs: readonly T[]) => T;
  readonly chance: (p: number) => boolean;
};

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)] as (typeof xs)[number], chance: (p) => next() < p };
}

const enc = new TextEncoder();

/** Strings that break naive parsers: controls, separators, surrogates, look-alikes, escapes, huge. */
export function hostileString(r: Rng): string {
  switch (r.int(12)) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(r.int(0x20));
    case 2:
      return r.pick([
        '\u2028',
        '\u2029',
        '\u0085',
        '\ufeff',
        '\u202e',
        '\u200b',
        '\ud800',
        '\udfff',
        '\uffff',
        '\u0000',
      ]);
    case 3:
      return r.pick(['../', '..\\', '%2e%2e/', '．．／', '/etc/passwd', '~', 'C:\\', 'file:///', '.env', '__proto__']);
    case 4:
      return 'x'.repeat(r.pick([255, 256, 1024, 1025, 4096, 10_000]));
    case 5:
      return '\u001b[2J\u001b[31m';
    case 6:
      return 'caf\u0065\u0301 naïve 日本語 😀';
    case 7:
      return String(r.pick([1e308, -0, 0.1, 9007199254740993, -1]));
    case 8:
      return '"\\/\b\f\n\r\t';
    case 9:
      return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.int(0x10000))).join('');
    case 10:
      return 'a.md';
    default:
      return 'guide/install.md';
  }
}

/** A JSON-representable value of any type, sometimes deep, sometimes huge. */
export function hostileValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 9 : 12)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 1.5, -0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 32, 5e-324, 1e21]);
    case 3:
      return r.int(2000) - 1000;
    case 4:
    case 5:
    case 6:
      return hostileString(r);
    case 7:
      return r.pick([[], {}, [''], ['a.md'], { path: '../x' }]);
    case 8:
      return r.int(100);
    case 9:
      return Array.from({ length: r.int(5) }, () => hostileValue(r, depth + 1));
    case 10:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [hostileString(r).slice(0, 20), hostileValue(r, depth + 1)]),
      );
    default:
      return nest(r.int(120));
  }
}

function nest(n: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

/** Valid messages of every kind, to be mutated. */
export function validMessage(r: Rng): Record<string, unknown> {
  const id = r.pick<string | number>([1, 0, 'a', 'req-7', 2 ** 40, -5]);
  switch (r.int(7)) {
    case 0:
      return { jsonrpc: '2.0', id, method: 'ping' };
    case 1:
      return { jsonrpc: '2.0', id, method: 'tools/list', params: {} };
    case 2:
      return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'read_doc', arguments: { path: 'a.md' } } };
    case 3:
      return { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } };
    case 4:
      return { jsonrpc: '2.0', id, result: {} };
    case 5:
      return { jsonrpc: '2.0', id, method: 'resources/read', params: { uri: 'docs://docs/a.md' } };
    default:
      return { jsonrpc: '2.0', id, error: { code: -32601, message: 'no' } };
  }
}

const ENVELOPE_KEYS = ['jsonrpc', 'id', 'method', 'params', 'result', 'error', '__proto__', 'constructor', 'toString'];

/** A mutated message (or batch), as JSON text, sometimes with text-level damage. */
export function mutatedEnvelope(r: Rng): string {
  const one = (): unknown => {
    // A null-prototype object, so that "__proto__" and "constructor" become own keys, as JSON.parse makes them.
    const m = Object.assign(Object.create(null) as Record<string, unknown>, validMessage(r));
    for (let i = r.int(3); i >= 0; i--) {
      const key = r.pick(ENVELOPE_KEYS);
      if (r.chance(0.3)) delete m[key];
      else m[key] = key === 'method' && r.chance(0.5)
          ? r.pick(['__proto__', 'constructor', 'hasOwnProperty', '', 'x'.repeat(129), 'ping '])
          : hostileValue(r);
    }
    return m;
  };
  const text = r.chance(0.15)
    ? JSON.stringify(Array.from({ length: r.pick([0, 1, 2, 63, 64, 65, 70]) }, one))
    : JSON.stringify(one());
  switch (r.int(10)) {
    case 0:
      return text.slice(0, r.int(text.length + 1));
    case 1: {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + hostileString(r) + text.slice(at);
    }
    case 2:
      return text.replace('{', '{"id":null,').replace(/}$/, ',"id":1}');
    case 3:
      return '['.repeat(r.pick([63, 64, 65, 200, 10_000])) + text;
    case 4:
      return text.replace(/"jsonrpc"/, '"jsonrpc":"1.0","jsonrpc"');
    default:
      return text;
  }
}

/** A byte stream for the frame reader: lines of every shape, CR/LF placement, bad UTF-8, huge lines. */
export function hostileStream(r: Rng, maxLine: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = r.int(12); i >= 0; i--) {
    switch (r.int(9)) {
      case 0:
        parts.push(Uint8Array.from({ length: r.int(64) }, () => r.int(256)));
        break;
      case 1:
        parts.push(enc.encode(mutatedEnvelope(r)));
        break;
      case 2:
        parts.push(Uint8Array.of(r.pick([0x0a, 0x0d, 0x0d, 0x0a])));
        break;
      case 3:
        parts.push(enc.encode('\r\n'));
        break;
      case 4:
        parts.push(new Uint8Array(maxLine + r.int(3) - 1).fill(0x61));
        break;
      case 5:
        parts.push(new Uint8Array(maxLine * r.pick([2, 5, 40]) + r.int(100)).fill(r.pick([0x7b, 0x22, 0x80, 0x0d])));
        break;
      case 6:
        parts.push(
          r.pick([
            Uint8Array.of(0xc3),
            Uint8Array.of(0xe2, 0x82),
            Uint8Array.of(0xf0, 0x9f, 0x98),
            Uint8Array.of(0xc0, 0xae),
            Uint8Array.of(0xed, 0xa0, 0x80),
          ]),
        );
        break;
      case 7:
        parts.push(enc.encode('{"jsonrpc":"2.0","id":"' + 'k'.repeat(r.int(maxLine + 50)) + '","method":"ping"}'));
        break;
      default:
        parts.push(enc.encode(hostileString(r)));
    }
    if (r.chance(0.6)) parts.push(r.chance(0.2) ? enc.encode('\r\n') : Uint8Array.of(0x0a));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Random cut points: empty chunks, single bytes, and the whole stream at once all happen. */
export function chunks(r: Rng, bytes: Uint8Array): Uint8Array[] {
  if (r.chance(0.1)) return [bytes];
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = r.pick([0, 1, 1, 2, 3, 7, 64, 1000, 65536]);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Mutates valid tool arguments: wrong types, hostile numbers and strings, unknown and prototype keys. */
export function mutatedArgs(
  r: Rng,
  valid: Readonly<Record<string, unknown>>,
  properties: Readonly<Record<string, PropSchema>>,
): unknown {
  if (r.chance(0.03)) return hostileValue(r);
  const args = Object.assign(Object.create(null) as Record<string, unknown>, valid);
  const names = Object.keys(properties);
  for (let i = r.int(3); i >= 0; i--) {
    const key = r.chance(0.8)
      ? r.pick(names)
      : r.pick(['__proto__', 'constructor', 'prototype', 'docs_dir', 'root ', 'PATH', hostileString(r).slice(0, 30)]);
    const schema = properties[key];
    if (r.chance(0.1)) delete args[key];
    else args[key] = schema !== undefined && r.chance(0.6) ? boundaryValue(r, schema) : hostileValue(r);
  }
  // Through JSON text, as on the wire: "__proto__" arrives as an own data key of an ordinary object.
  return JSON.parse(JSON.stringify(args)) as unknown;
}

type PropSchema = {
  readonly type?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enum?: readonly unknown[];
};

/** Values at and just past the bounds a property's schema declares (type-preserving most of the time). */
export function boundaryValue(r: Rng, s: PropSchema): unknown {
  if (s.type === 'integer') {
    const min = s.minimum ?? 0;
    const max = s.maximum ?? 1e9;
    return r.pick([min, max, min - 1, max + 1, Math.floor((min + max) / 2), min + 0.5, -min - 1, max * 2, String(min)]);
  }
  if (s.type === 'string') {
    if (s.enum !== undefined && r.chance(0.7)) {
      const e = String(r.pick(s.enum));
      return r.pick([e, e.toUpperCase(), `${e} `, e.slice(1), '']);
    }
    const n = r.pick([
      s.minLength ?? 0,
      Math.max(0, (s.minLength ?? 0) - 1),
      s.maxLength ?? 64,
      (s.maxLength ?? 64) + 1,
      1,
      3,
    ]);
    const unit = r.pick(['a', 'é', '😀', '/', '.', '-', '_', '\u0000', 'Z']);
    return unit.repeat(n).slice(0, unit.length === 2 ? n : undefined);
  }
  if (s.type === 'boolean') return r.pick([true, false, 'true', 0, 1, null]);
  return hostileValue(r);
}
