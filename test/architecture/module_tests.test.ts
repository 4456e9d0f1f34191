// Every source module with logic of its own has a test file of the same name: src/<folder>/<module>.ts is
// tested by test/<folder>/<module>.test.ts, so a reader finds a module's tests where its name says and a
// new module cannot arrive untested. The exceptions are listed below, each with its reason; a test a listed
// module gains, or a module that is gone, makes its entry stale, and a stale entry fails too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listSources, REPO } from '../helpers/source_scan.ts';

type Exemption = { readonly reason: string; readonly coveredBy?: readonly string[] };

const EXEMPT: Readonly<Record<string, Exemption>> = {
  // Declarations only: nothing to run.
  'src/runtime/host.ts': { reason: 'types only: the host contract' },
  'src/update/context.ts': { reason: 'types only: what every updater command receives' },
  'src/mcp/era.ts': { reason: 'types, and InputRequired, an Error that only carries its result' },
  'src/jsonrpc/codes.ts': { reason: 'the error-code table, and RpcError, an Error that only carries its fields' },
  'src/config/schema.ts': {
    reason: 'the config schema and default tables, declared with src/validate/schema.ts (tested on its own); ' +
      'what the schema accepts and refuses is tested through loadConfig, the deny table by a census',
    coveredBy: ['test/config/load.test.ts', 'test/policy/deny_census.test.ts'],
  },
  // Code that runs only as its own process: tested by starting that process.
  'src/main.ts': {
    reason: 'the entry point, run only as the bundle: the command-line tests drive each command through it, ' +
      'every e2e test serves through it',
    coveredBy: ['test/cli/cli_bundle.test.ts', 'test/e2e/smoke.test.ts'],
  },
  'src/runtime/deno_stdio.ts': {
    reason: 'stdin and stdout under Deno only: the e2e and security tests run again with the server under Deno ' +
      '(scripts/test.mjs, "server under Deno"), every request and reply through it',
    coveredBy: ['test/e2e/protocol_framing.test.ts', 'test/security/slow_reader.test.ts'],
  },
  'src/update/main.ts': {
    reason: "the updater's entry point: the updater tests start its bundle and drive every command through it",
    coveredBy: ['test/e2e/update.test.ts', 'test/update/signing.test.ts'],
  },
  'src/update/inherited_fds.ts': {
    reason: 'inherited descriptors exist only in a process started with them: the containment test starts the ' +
      'updater bundle from a shell holding a folder and a file open and checks the candidate cannot reach them',
    coveredBy: ['test/e2e/update_containment.test.ts'],
  },
  'src/update/verify.ts': {
    reason: 'the verify command: starts the live and the staged bundle side by side; the update tests run it ' +
      'on good, leaking, crashing and surface-changing candidates',
    coveredBy: ['test/e2e/update.test.ts', 'test/update/release.test.ts'],
  },
  'src/update/bundle_surface.ts': {
    reason: 'starts a bundle to measure its tool surface; `npm run release` records it, and the release test ' +
      'checks the manifest holds it and that verify refuses a manifest that lies about it',
    coveredBy: ['test/update/release.test.ts'],
  },
};

/** The test file a module's name asks for. */
const testOf = (rel: string) => rel.replace(/^src\//, 'test/').replace(/\.ts$/, '.test.ts');

test('every src module has a test file of its own name, or an exemption saying why not', () => {
  const untested = listSources()
    .map((s) => s.rel)
    .filter((rel) => !existsSync(join(REPO, testOf(rel))) && EXEMPT[rel] === undefined);
  assert.deepEqual(
    untested.map((rel) => `${rel}: write ${testOf(rel)}`),
    [],
    'test each of these in a file of its name, or exempt it above with its reason',
  );
});

test('every exemption is current: the module exists, has no test of its own name, and its covering tests exist', () => {
  const modules = new Set(listSources().map((s) => s.rel));
  for (const [rel, e] of Object.entries(EXEMPT)) {
    assert.ok(modules.has(rel), `${rel} is exempt but no longer exists: drop its entry`);
    assert.equal(existsSync(join(REPO, testOf(rel))), false, `${rel} now has ${testOf(rel)}: drop its exemption`);
    assert.ok(e.reason.length > 0, rel);
    for (const t of e.coveredBy ?? []) assert.ok(existsSync(join(REPO, t)), `${rel}: ${t} does not exist`);
  }
  assert.ok(Object.keys(EXEMPT).length <= 12, 'exemptions stay few: test the module instead');
});
