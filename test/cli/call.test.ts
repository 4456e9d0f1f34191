// `docwarden call TOOL JSON` (src/cli/call.ts) in this process on real files: what the model would see,
// the exit verdict, one audit record per call in the configured log (bad JSON included), and no way to
// give consent from the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCall } from '../../src/cli/call.ts';
import { partsFor } from '../helpers/in_process.ts';

const p = await partsFor({ 'a.md': '# A\n\nalpha\n', 'hr/pay.md': 'salary\n' }, { confirm: { paths: ['hr'] } });
const call = (tool: string, json: string) => runCall(p.host, p.config, p.audit, tool, json);
const last = () => p.records().at(-1) ?? {};

test('a good call prints the text and the structured content, and is recorded with its file', async () => {
  const r = await call('doc_info', '{"path":"a.md"}');
  assert.equal(r.ok, true);
  assert.match(r.output, /^docs:a.md\nsize: 11 bytes\n[\s\S]*\n\nstructuredContent:\n\{\n {2}"root": "docs",/);
  assert.deepEqual([last()['era'], last()['tool'], last()['files'], last()['outcome']], ['cli', 'doc_info', [
    'docs:a.md',
  ], 'ok']);
});

test('an error result exits 1; a document that needs consent is refused, nothing read', async () => {
  const missing = await call('read_doc', '{"path":"nope.md"}');
  assert.deepEqual([missing.ok, missing.output], [false, 'Cannot read: not found or not allowed\n']);
  assert.equal(last()['reason'], 'not_found');
  const gated = await call('read_doc', '{"path":"hr/pay.md"}');
  assert.equal(gated.ok, false);
  assert.match(
    gated.output,
    /needs the user's confirmation and this client does not support elicitation; nothing was read/,
  );
  assert.equal(gated.output.includes('salary'), false);
});

test('bad JSON and an unknown tool are refused with the reason, and still recorded', async () => {
  const bad = await call('read_doc', '{"path":');
  assert.equal(bad.ok, false);
  assert.match(bad.output, /^Cannot call: the JSON arguments are not valid JSON: /);
  assert.deepEqual([last()['reason'], last()['code']], ['invalid_json', -32700]);
  const unknown = await call('delete_doc', '{}');
  assert.match(unknown.output, /^Error -32602: Unknown tool "delete_doc"; available: /);
  assert.deepEqual([last()['reason'], last()['outcome']], ['unknown_tool', 'refused']);
});
