// Proves docs/style.md, "Validation reads like the schema", for every tool: the inputSchema a client sees and
// the reader that enforces it agree on properties, required keys, integer bounds, string lengths and enums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/schema.ts';
import { createToolTable } from '../../src/tools/registry.ts';
import { ArgumentError } from '../../src/validate/schema.ts';

type Prop = Readonly<Record<string, unknown>>;
const tools = [...createToolTable(DEFAULTS.limits).values()];

/** A value the property's own schema says is valid. */
function validValue(p: Prop): unknown {
  if (Array.isArray(p['enum'])) return p['enum'][0];
  switch (p['type']) {
    case 'string':
      return 'a'.repeat(Math.max(1, Number(p['minLength'] ?? 1)));
    case 'integer':
      return p['minimum'] ?? 1;
    case 'boolean':
      return true;
    default:
      throw new Error(`no sample for type ${String(p['type'])}`);
  }
}

function parts(t: (typeof tools)[number]): { props: Record<string, Prop>; required: string[] } {
  const json = t.input.json;
  return {
    props: json['properties'] as Record<string, Prop>,
    required: (json['required'] as string[] | undefined) ?? [],
  };
}

/** A minimal valid argument object: every required key with a valid value. */
function minimal(t: (typeof tools)[number]): Record<string, unknown> {
  const { props, required } = parts(t);
  return Object.fromEntries(required.map((k) => [k, validValue(props[k] as Prop)]));
}

const accepts = (t: (typeof tools)[number], args: unknown) => t.input.read(args, 'arguments');
const refuses = (t: (typeof tools)[number], args: unknown, re?: RegExp) =>
  assert.throws(
    () => t.input.read(args, 'arguments'),
    (e: unknown) => e instanceof ArgumentError && (re === undefined || re.test(e.message)),
    `${t.name} must refuse ${JSON.stringify(args).slice(0, 120)}`,
  );

test('the tool table holds exactly the six read-only tools', () => {
  assert.deepEqual(tools.map((t) => t.name).sort(), [
    'doc_info',
    'find_docs',
    'list_docs',
    'outline_doc',
    'read_doc',
    'search_docs',
  ]);
});

test('every inputSchema is a closed object schema', () => {
  for (const t of tools) {
    const json = t.input.json;
    assert.equal(json['type'], 'object', t.name);
    assert.equal(json['additionalProperties'], false, t.name);
    assert.equal('$schema' in json, false, t.name);
    const { props, required } = parts(t);
    for (const r of required) assert.ok(r in props, `${t.name}: required ${r} is a property`);
    for (const [k, p] of Object.entries(props))
      assert.equal(typeof p['description'], 'string', `${t.name}.${k} has a description`);
  }
});

test('every property in the schema is accepted by the reader', () => {
  for (const t of tools) {
    const { props } = parts(t);
    assert.deepEqual(accepts(t, minimal(t)), minimal(t), t.name);
    for (const [k, p] of Object.entries(props)) {
      const args = { ...minimal(t), [k]: validValue(p) };
      assert.deepEqual(accepts(t, args), args, `${t.name}.${k}`);
    }
    const all = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, validValue(p)]));
    assert.deepEqual(accepts(t, all), all, `${t.name} with every property`);
  }
});

test('every key not in the schema is refused, naming the allowed keys', () => {
  for (const t of tools) {
    const { props } = parts(t);
    for (const extra of ['docs_dir', 'rootPath', 'Path', 'write', 'toString', 'hasOwnProperty', '']) {
      refuses(
        t,
        { ...minimal(t), [extra]: 'x' },
        new RegExp(
          `unknown key ${JSON.stringify(JSON.stringify(extra)).slice(1, -1)}; allowed: ${
            Object.keys(props).join(', ')
          }`,
        ),
      );
    }
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      refuses(
        t,
        JSON.parse(JSON.stringify({ ...minimal(t), x: 1 }).replace('"x"', JSON.stringify(key))),
        /must not contain the key/,
      );
    }
  }
});

test('each required key, when missing, is refused by name', () => {
  for (const t of tools) {
    for (const r of parts(t).required) {
      const args = minimal(t);
      delete args[r];
      refuses(t, args, new RegExp(`missing the required key "${r}"`));
    }
  }
});

test('integer bounds: minimum and maximum are accepted, one outside is refused, fractions are refused', () => {
  let checked = 0;
  for (const t of tools) {
    for (const [k, p] of Object.entries(parts(t).props)) {
      if (p['type'] !== 'integer') continue;
      const min = p['minimum'] as number;
      const max = p['maximum'] as number;
      assert.ok(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max, `${t.name}.${k} has bounds`);
      accepts(t, { ...minimal(t), [k]: min });
      accepts(t, { ...minimal(t), [k]: max });
      refuses(t, { ...minimal(t), [k]: min - 1 }, new RegExp(`\`${k}\` must be from ${min} to ${max}`));
      refuses(t, { ...minimal(t), [k]: max + 1 }, new RegExp(`\`${k}\` must be from ${min} to ${max}`));
      refuses(t, { ...minimal(t), [k]: min + 0.5 }, /must be an integer/);
      refuses(t, { ...minimal(t), [k]: String(min) }, /must be an integer/);
      refuses(t, { ...minimal(t), [k]: 1e308 });
      checked++;
    }
  }
  assert.ok(checked >= 6, `only ${checked} integer properties found`);
});

test('string lengths: maxLength is accepted and one more character is refused; minLength likewise', () => {
  let checked = 0;
  for (const t of tools) {
    for (const [k, p] of Object.entries(parts(t).props)) {
      if (p['type'] !== 'string' || p['enum']) continue;
      const max = p['maxLength'];
      assert.equal(typeof max, 'number', `${t.name}.${k} declares maxLength`);
      accepts(t, { ...minimal(t), [k]: 'a'.repeat(max as number) });
      refuses(
        t,
        { ...minimal(t), [k]: 'a'.repeat((max as number) + 1) },
        new RegExp(`\`${k}\` must be at most ${String(max)} characters`),
      );
      const min = (p['minLength'] as number | undefined) ?? 0;
      if (min > 0) refuses(t, { ...minimal(t), [k]: 'a'.repeat(min - 1) }, new RegExp(`\`${k}\``));
      else accepts(t, { ...minimal(t), [k]: '' });
      refuses(t, { ...minimal(t), [k]: ['a'] }, /must be a string/);
      refuses(t, { ...minimal(t), [k]: 5 }, /must be a string/);
      refuses(t, { ...minimal(t), [k]: null }, /must be a string/);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} string properties found`);
});

test('enums: every listed value is accepted and others are refused', () => {
  let checked = 0;
  for (const t of tools) {
    for (const [k, p] of Object.entries(parts(t).props)) {
      const values = p['enum'];
      if (!Array.isArray(values)) continue;
      for (const v of values) accepts(t, { ...minimal(t), [k]: v });
      for (const v of ['', 'other', String(values[0]).toUpperCase(), ` ${String(values[0])}`])
        refuses(t, { ...minimal(t), [k]: v }, /must be one of/);
      checked++;
    }
  }
  assert.ok(checked >= 1, 'search_docs.mode is an enum');
});

test('booleans accept true and false only', () => {
  for (const t of tools) {
    for (const [k, p] of Object.entries(parts(t).props)) {
      if (p['type'] !== 'boolean') continue;
      accepts(t, { ...minimal(t), [k]: false });
      for (const v of ['true', 1, 0, null]) refuses(t, { ...minimal(t), [k]: v }, /must be true or false/);
    }
  }
});

test('arguments that are not an object are refused', () => {
  for (const t of tools) for (const v of [null, [], 'x', 3]) refuses(t, v, /`arguments` must be an object/);
});

test('the schema bounds follow the configured limits', () => {
  const small = createToolTable({ ...DEFAULTS.limits, listEntries: 7, searchResults: 9, depth: 3 });
  const list = small.get('list_docs')?.input.json['properties'] as Record<string, Prop>;
  assert.equal(list['limit']?.['maximum'], 7);
  assert.equal(list['depth']?.['maximum'], 3);
  const search = small.get('search_docs')?.input.json['properties'] as Record<string, Prop>;
  assert.equal(search['limit']?.['maximum'], 9);
  const find = small.get('find_docs')?.input.json['properties'] as Record<string, Prop>;
  assert.equal(find['limit']?.['maximum'], 7);
});
