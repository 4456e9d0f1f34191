// The attack suite again with files.symlinks "within-root", against ONE server: symlinks that stay in
// the root are now followed, so links to secrets inside the root (`env-alias.md -> .env`), to `.git`,
// through `../docs/.env` and out of the root must stay unreadable and invisible, while the two honest
// in-root links are served. String-level escapes cannot depend on this setting; the strict suite
// (attack_suite.test.ts) sends them.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Family, hostileGlobs, pathSpellings, type Spelling } from '../helpers/attack_cases.ts';
import { findDocs, PATH_ENTRY_POINTS, searchGlob } from '../helpers/attack_entry.ts';
import { auditText } from '../helpers/attack_judge.ts';
import { report, runSpellings, type Session, startSession } from '../helpers/attack_runner.ts';
import { RUNTIME } from '../helpers/harness.ts';
import { buildHostileWorld, type HostileWorld } from '../helpers/hostile_fixture.ts';
import { invisibilityTests } from '../helpers/invisibility.ts';

const FAMILIES: readonly Family[] = ['secrets', 'links', 'exhaustion', 'output', 'legit'];

describe(`attack suite, files.symlinks "within-root" (${RUNTIME})`, () => {
  let world: HostileWorld;
  let s: Session;
  let spellings: Spelling[];

  before(async () => {
    world = buildHostileWorld();
    spellings = pathSpellings(world);
    s = await startSession(world, 'within');
  });
  after(async () => {
    await s.c.close();
  });
  // The audit log records every hostile request: none of them may have put a canary byte in it.
  afterEach(() => {
    assert.ok(!auditText(s.c).includes(world.marker), 'a canary reached the audit log');
  });

  for (const family of FAMILIES) {
    for (const entry of PATH_ENTRY_POINTS) {
      test(`${family} x ${entry.name}`, async () => {
        report(await runSpellings(s, entry, spellings.filter((sp) => sp.family === family)));
      });
    }
  }

  for (const entry of [findDocs, searchGlob]) {
    test(`hostile globs x ${entry.name}`, async () => {
      const globs = hostileGlobs(world).map((path): Spelling => ({
        family: 'containment',
        target: { path },
        outcome: () => ({ kind: 'refused', generic: false }),
      }));
      report(await runSpellings(s, entry, globs));
    });
  }

  invisibilityTests(() => s, 'within');

  test('the in-root links really are followed here (so the refusals above are the policy, not the setting)', async () => {
    const r = await s.c.call('read_doc', { path: 'ok-alias.md' });
    assert.notEqual(r.isError, true, s.c.textOf(r));
    assert.match(s.c.textOf(r), /Inside text\./);
  });

  test('no canary reached stdout or the audit log', async (t) => {
    t.diagnostic(`${s.cases} cases`);
    assert.deepEqual((await s.c.request('ping')).result, {});
    assert.ok(!auditText(s.c).includes(world.marker), 'a canary reached the audit log');
    assert.ok(!s.c.stdout.includes(world.marker), 'a canary reached stdout');
  });
});
