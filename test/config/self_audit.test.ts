// The start-up self-audit (src/config/self_audit.ts): the real probe of this test's own Node (no
// permission model) gives a warning naming the flag to add; a Deno grant of everything (-A) is refused in
// production and a warning in development; a sandbox granting exactly the config's needs passes silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfAudit } from '../../src/config/self_audit.ts';
import { DENO_CAPABILITIES, type GrantSnapshot, probeGrants } from '../../src/runtime/permissions.ts';
import { partsFor } from '../helpers/in_process.ts';

const prod = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
const dev = await partsFor({ 'a.md': 'a' }, { mode: 'development' });

/** A Deno sandbox that grants none of the probed paths (those around what the config needs), plus `over`. */
const deno = (over: Partial<GrantSnapshot>) => (): GrantSnapshot => ({
  runtime: 'deno',
  version: '2.0.0',
  sandboxed: true,
  readAll: false,
  writeAll: false,
  read: [],
  write: [],
  capabilities: [],
  listed: null,
  inherited: [],
  ...over,
});

test('this Node without its permission model: a warning that names the flag to add', () => {
  const audit = selfAudit(prod.host, prod.config, probeGrants, null);
  assert.equal(audit.verdict, 'warn');
  assert.deepEqual(audit.findings.map((f) => f.kind), ['unsandboxed']);
  assert.match(audit.message, /--(experimental-)?permission/);
});

test('a grant of everything: refused in production, a warning in development', () => {
  const all = deno({
    readAll: true,
    writeAll: true,
    capabilities: DENO_CAPABILITIES.map((name) => ({ name, access: 'granted' })),
  });
  const refused = selfAudit(prod.host, prod.config, all, null);
  assert.deepEqual([refused.verdict, refused.findings[0]?.flag], ['refuse', '-A']);
  assert.notEqual(refused.message, '');
  assert.equal(selfAudit(dev.host, dev.config, all, null).verdict, 'warn');
});

test('a sandbox granting exactly what the config needs passes, with no message; one probed folder more is refused', () => {
  const ok = selfAudit(prod.host, prod.config, deno({}), null);
  assert.deepEqual([ok.verdict, ok.findings, ok.message], ['ok', [], '']);
  const wider = selfAudit(prod.host, prod.config, (plan) => deno({ read: plan.read.slice(0, 1) })(), null);
  assert.equal(wider.verdict, 'refuse', 'production');
  assert.match(wider.findings[0]?.message ?? '', /more than docwarden reads/);
});
