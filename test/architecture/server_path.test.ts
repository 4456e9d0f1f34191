// The server path (docs/audit.md, "The server path"): every module a serving process can run, found by
// following imports (type imports too: a reader follows them) from where src/main.ts hands over. No
// operator command (src/cli/, main.ts itself) and nothing of the updater is on it, so a client cannot reach
// them; and it stays under 8,000 lines, the size the project promises an auditor can read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, relative } from 'node:path';
import { importSpecifiers, listSources, REPO } from '../helpers/source_scan.ts';

const MAX_SERVER_PATH_LINES = 8000;
// main.ts makes the host (node_host.ts), probes the sandbox (permissions.ts, self_audit.ts) and then
// calls serve.ts: these four are where serving starts.
const ENTRIES = ['src/serve.ts', 'src/runtime/node_host.ts', 'src/runtime/permissions.ts', 'src/config/self_audit.ts'];

const files = new Map(listSources().map((f) => [f.rel, f]));
const lines = (rel: string) => (files.get(rel)?.text ?? '').split('\n').length - 1;

function serverPath(): Set<string> {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    const f = files.get(rel);
    assert.ok(f, `${rel} is imported but not found`);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const spec of importSpecifiers(f.code)) {
      if (spec.startsWith('.')) visit(relative(REPO, join(dirname(f.abs), spec)).split('\\').join('/'));
    }
  };
  for (const e of ENTRIES) visit(e);
  return seen;
}

test('no operator command, no entry point and nothing of the updater is reachable from the server path', () => {
  const path = serverPath();
  assert.ok(path.has('src/mcp/server.ts') && path.has('src/policy/resolver.ts'), 'the walk follows imports');
  const operator = ['src/main.ts', 'src/runtime/launch_facts.ts']; // launch lines and the terminal hint
  const reached = [...path].filter((rel) => /^src\/(cli|update)\//.test(rel) || operator.includes(rel));
  assert.deepEqual(reached, [], `the server path reaches operator code: ${reached.join(', ')}`);
});

test(`the server path stays under ${MAX_SERVER_PATH_LINES} lines`, () => {
  const path = serverPath();
  const total = [...path].reduce((n, rel) => n + lines(rel), 0);
  const outside = [...files.keys()].filter((rel) => !path.has(rel) && !rel.startsWith('src/update/'));
  const operator = outside.reduce((n, rel) => n + lines(rel), 0);
  console.log(
    `server path: ${path.size} modules, ${total} lines; operator commands: ${outside.length} modules, ` +
      `${operator} lines (${outside.join(', ')})`,
  );
  assert.ok(total < MAX_SERVER_PATH_LINES, `the server path is ${total} lines (limit ${MAX_SERVER_PATH_LINES})`);
});
