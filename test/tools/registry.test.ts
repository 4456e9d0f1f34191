// The tool table (src/tools/registry.ts): the closed set of six tools, built with the configured limits, and
// each tool's wire form for tools/list with or without titles and output schemas. (Each schema against its
// reader: test/tools/schemas.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/schema.ts';
import { createToolTable, describeTool } from '../../src/tools/registry.ts';

type Json = Record<string, unknown>;
const table = createToolTable(DEFAULTS.limits);

test('six tools by name; no other name is a tool, inherited ones included', () => {
  assert.deepEqual([...table.keys()], ['list_docs', 'read_doc', 'search_docs', 'find_docs', 'outline_doc', 'doc_info']);
  for (const name of ['__proto__', 'constructor', 'write_doc']) assert.equal(table.get(name), undefined);
});

test('the wire form: title, output schema and annotations only when asked; annotations say read-only', () => {
  const search = table.get('search_docs');
  assert.ok(search);
  const bare = describeTool(search, { structured: false, annotations: false }) as Json;
  assert.deepEqual(Object.keys(bare), ['name', 'description', 'inputSchema']);
  const plain = describeTool(search, { structured: false, annotations: true }) as Json;
  assert.deepEqual(Object.keys(plain), ['name', 'description', 'inputSchema', 'annotations']);
  assert.deepEqual(plain['annotations'], {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  });
  const full = describeTool(search, { structured: true, annotations: true }) as Json;
  assert.deepEqual(Object.keys(full), ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']);
  assert.equal((full['annotations'] as Json)['title'], 'Search documents');
  const read = table.get('read_doc');
  assert.ok(read);
  const readFull = describeTool(read, { structured: true, annotations: true }) as Json;
  assert.equal('outputSchema' in readFull, false, 'read_doc has no structured result');
});

test('the limits reach the tools: list and search bounds follow the config', () => {
  const small = createToolTable({ ...DEFAULTS.limits, listEntries: 7, searchResults: 9 });
  const limitOf = (name: string) => {
    const wire = describeTool(small.get(name)!, { structured: false, annotations: false }) as Json;
    const schema = wire['inputSchema'] as { properties: Record<string, Json> };
    return schema.properties['limit']?.['maximum'];
  };
  assert.deepEqual([limitOf('list_docs'), limitOf('find_docs'), limitOf('search_docs')], [7, 7, 9]);
});
