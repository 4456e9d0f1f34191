// The attack suite, strict config (symlinks denied): every attack family of docs/security.md, "Attack
// families", spelled many ways, through every entry point that takes a path, against ONE server. Each case
// must be refused (or, for a legitimate file, served correctly), answered within its deadline and followed by
// a working ping; no reply may carry a canary byte, a host path or a raw terminal control, and neither may
// the audit log carry a canary. Denied files must also be invisible everywhere (see invisibility.ts).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Family, hostileGlobs, pathSpellings, type Spelling } from '../helpers/attack_cases.ts';
import { findDocs, PATH_ENTRY_POINTS, searchGlob } from '../helpers/attack_entry.ts';
import { auditText, rawControls } from '../helpers/attack_judge.ts';
import { protocolCases } from '../helpers/attack_protocol.ts';
import { report, runCustom, runSpellings, type Session, startSession } from '../helpers/attack_runner.ts';
import { RUNTIME } from '../helpers/harness.ts';
import { buildHostileWorld, type HostileWorld } from '../helpers/hostile_fixture.ts';
import { invisibilityTests } from '../helpers/invisibility.ts';

const FAMILIES: readonly Family[] = ['containment', 'secrets', 'links', 'exhaustion', 'output', 'legit'];

describe(`attack suite, files.symlinks "deny" (${RUNTIME})`, () => {
  let world: HostileWorld;
  let s: Session;
  let spellings: Spelling[];

  before(async () => {
    world = buildHostileWorld();
    assert.ok(world.fifo, 'mkfifo works here');
    spellings = pathSpellings(world);
    s = await startSession(world, 'deny');
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
        const mine = spellings.filter((sp) => sp.family === family);
        assert.ok(mine.length > 0);
        report(await runSpellings(s, entry, mine));
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

  test('protocol: root overrides, unknown and prototype keys, wrong types, hostile numbers, methods, URIs, templates', async () => {
    report(await runCustom(s, protocolCases(world)));
  });

  invisibilityTests(() => s, 'deny');

  // The cases above forgive a reply that echoes the client's own argument; this one does not.
  test("tool replies do not echo raw bidi or invisible characters from the client's own arguments", async () => {
    for (const pattern of ['\u202e**/*.md', 'zero\u200bwidth', 'c1\u009bx']) {
      const r = await s.c.call('find_docs', { pattern });
      assert.equal(rawControls({ result: r }), null, `find_docs ${JSON.stringify(pattern)}`);
    }
    const r = await s.c.call('read_doc', { path: 'a.md', root: '\u202edocs' });
    assert.equal(rawControls({ result: r }), null, 'argument error message');
  });

  test('at least 300 hostile cases ran, the server still answers, and the audit log holds no canary', async (t) => {
    t.diagnostic(`${s.cases} cases`);
    assert.ok(s.cases >= 300, `only ${s.cases} cases ran`);
    assert.deepEqual((await s.c.request('ping')).result, {});
    const audit = auditText(s.c);
    assert.ok(audit.length > 0, 'the audit log was written');
    assert.ok(!audit.includes(world.marker), 'a canary reached the audit log');
    assert.ok(!s.c.stdout.includes(world.marker), 'a canary reached stdout');
  });
});
