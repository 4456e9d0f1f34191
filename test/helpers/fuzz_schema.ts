// An independent checker for the JSON Schema subset the tools publish (type, enum, min/max, lengths,
// pattern, items, required, additionalProperties: false), used by the fuzzer to prove that whatever a
// hand-written argument reader accepts is also valid by the schema the client was shown.

export type JsonSchemaLike = {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: JsonSchemaLike;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, JsonSchemaLike>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchemaLike;
};

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return false;
  }
}

/** null when `v` satisfies `s`; otherwise the first violation, with its location. */
export function schemaProblem(s: JsonSchemaLike, v: unknown, at: string): string | null {
  if (s.type !== undefined) {
    const types = typeof s.type === 'string' ? [s.type] : s.type;
    if (!types.some((t) => typeOk(t, v))) return `${at}: ${JSON.stringify(v)?.slice(0, 80)} is not ${types.join('|')}`;
  }
  if (s.enum !== undefined && !s.enum.includes(v)) return `${at}: not in enum`;
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return `${at}: ${v} < minimum ${s.minimum}`;
    if (s.maximum !== undefined && v > s.maximum) return `${at}: ${v} > maximum ${s.maximum}`;
  }
  if (typeof v === 'string') {
    // JSON Schema counts code points; the readers count UTF-16 units, which is never fewer, so a string the
    // readers accept is never too long by the schema. Minimum lengths are checked in code points, as specified.
    const n = [...v].length;
    if (s.minLength !== undefined && n < s.minLength) return `${at}: shorter than ${s.minLength}`;
    if (s.maxLength !== undefined && n > s.maxLength) return `${at}: longer than ${s.maxLength}`;
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return `${at}: does not match ${s.pattern}`;
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) return `${at}: more than ${s.maxItems} items`;
    if (s.items !== undefined) {
      for (let i = 0; i < v.length; i++) {
        const p = schemaProblem(s.items, v[i], `${at}[${i}]`);
        if (p !== null) return p;
      }
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of s.required ?? []) if (!Object.hasOwn(o, key)) return `${at}: missing required ${key}`;
    for (const [key, value] of Object.entries(o)) {
      const sub = s.properties?.[key];
      if (sub === undefined) {
        if (s.additionalProperties === false) return `${at}: unexpected key ${JSON.stringify(key)}`;
        continue;
      }
      const p = schemaProblem(sub, value, `${at}.${key}`);
      if (p !== null) return p;
    }
  }
  return null;
}
