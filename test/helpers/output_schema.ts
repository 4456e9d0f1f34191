// A tiny checker for the JSON Schema subset docwarden's outputSchemas use (type, required, properties,
// items, additionalProperties, enum, minimum/maximum, maxLength, maxItems), so e2e tests can prove that
// every structuredContent matches the schema the server itself advertised in tools/list.
import type { Client, Json } from './harness.ts';

export type SchemaNode = Readonly<Record<string, unknown>>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, got: string): boolean {
  return want === got || (want === 'number' && got === 'integer');
}

/** Returns every mismatch between `value` and `schema` as "at: problem" strings (empty when it conforms). */
export function schemaErrors(schema: SchemaNode, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const t = schema['type'];
  const types = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  const got = typeOf(value);
  if (types.length > 0 && !types.some((w) => typeMatches(w, got)))
    return [`${at}: expected ${types.join('|')}, got ${got}`];
  const en = schema['enum'];
  if (Array.isArray(en) && !en.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'string' && typeof schema['maxLength'] === 'number' && value.length > schema['maxLength'])
    errors.push(`${at}: longer than maxLength`);
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) errors.push(`${at}: below minimum`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) errors.push(`${at}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems'])
      errors.push(`${at}: more than maxItems`);
    const items = schema['items'];
    if (typeof items === 'object' && items !== null)
      value.forEach((x, i) => errors.push(...schemaErrors(items as SchemaNode, x, `${at}[${i}]`)));
  }
  if (got === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, SchemaNode>;
    const required = (schema['required'] ?? []) as string[];
    for (const r of required) if (!Object.hasOwn(obj, r)) errors.push(`${at}: missing required key ${r}`);
    const extra = schema['additionalProperties'];
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p) errors.push(...schemaErrors(p, v, `${at}.${k}`));
      else if (extra === false) errors.push(`${at}: unexpected key ${k}`);
      else if (typeof extra === 'object' && extra !== null)
        errors.push(...schemaErrors(extra as SchemaNode, v, `${at}.${k}`));
    }
  }
  return errors;
}

/** Fetches tools/list once and returns each tool's outputSchema by name. */
export async function outputSchemas(c: Client): Promise<Map<string, SchemaNode>> {
  const r = await c.request('tools/list');
  const tools = (r.result?.['tools'] ?? []) as Json[];
  return new Map(tools.map((t) => [t['name'] as string, t['outputSchema'] as SchemaNode]));
}

/**
 * Asserts that a successful tool result's structuredContent has exactly the top-level keys the
 * schema requires and that everything conforms; throws with the list of problems otherwise.
 */
export function assertConforms(
  schema: SchemaNode | undefined,
  result: { structuredContent?: Json; isError?: boolean },
): void {
  if (!schema) throw new Error('tool has no outputSchema');
  if (result.isError)
    throw new Error(`expected a successful result, got isError: ${JSON.stringify(result).slice(0, 300)}`);
  const sc = result.structuredContent;
  if (sc === undefined) throw new Error('successful result has no structuredContent');
  const required = [...((schema['required'] ?? []) as string[])].sort();
  const keys = Object.keys(sc).sort();
  if (JSON.stringify(required) !== JSON.stringify(keys))
    throw new Error(`structuredContent keys ${keys.join(',')} differ from required ${required.join(',')}`);
  const errors = schemaErrors(schema, sc);
  if (errors.length > 0)
    throw new Error(`structuredContent does not match outputSchema:\n${errors.slice(0, 20).join('\n')}`);
}
