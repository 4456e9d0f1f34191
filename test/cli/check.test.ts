// `docwarden check` (src/cli/check.ts) on real files: the config in force, then per root how many documents
// the rules expose and every entry they hide or gate, counted by rule (never a file's content), and the
// grant report of the runtime this test runs in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { census, grantReport, runCheck } from '../../src/cli/check.ts';
import { selfAudit } from '../../src/config/self_audit.ts';
import { probeGrants } from '../../src/runtime/permissions.ts';
import { partsFor } from '../helpers/in_process.ts';

const FILES = {
  'a.md': 'a',
  'guide/b.md': 'b',
  'hr/pay.md': 'salary',
  'big.md': 'x'.repeat(2000),
  'tool.exe': 'bin',
  '.env': 'K=v',
  '.notes.md': 'dot',
};
const p = await partsFor(FILES, { confirm: { paths: ['hr', 'nothing'], largerThan: 1000 } });
symlinkSync(join(p.dir, 'a.md'), join(p.dir, 'link.md'));
linkSync(join(p.dir, 'a.md'), join(p.dir, 'second-name.md'));
const root = p.config.roots[0];
assert.ok(root);

test('census: exposed documents and folders, hidden and gated entries by rule', async () => {
  const c = await census(p.host, p.config, root);
  // a.md and second-name.md share an inode (two links): both are refused as hard links.
  assert.deepEqual([c.files, c.folders], [3, 2]);
  assert.deepEqual(c.hidden, {
    'deny pattern .env': 1,
    'dot-file or dot-folder': 1,
    'extension not allowed': 1,
    'hard link': 2,
    'symlink': 1,
  });
  assert.deepEqual(c.gated, { 'confirm.paths hr': 1, 'confirm.paths nothing': 0, 'confirm.largerThan': 1 });
});

test('runCheck prints the config in force and the counts, never a file name or content', async () => {
  const out = await runCheck(p.host, p.config);
  assert.match(out, /^docwarden check: config .*config\.json is valid\nmode: production\n/);
  assert.match(out, /consent needed for: hr nothing; files over 1000 bytes; answer timeout 120000 ms/);
  assert.match(out, new RegExp(`root "docs" = ${root.path}: exposes 3 documents in 2 folders\\n  hidden: 6\\n`));
  assert.ok(out.includes('\n  need consent: 2 (each by its first rule)\n'));
  for (const secret of ['salary', 'K=v', 'pay.md', 'notes']) assert.equal(out.includes(secret), false, secret);
});

test('the grant report of this unsandboxed Node names the flag to add and that it starts with a warning', () => {
  const audit = selfAudit(p.host, p.config, probeGrants, null);
  const report = grantReport(audit);
  assert.match(report, /^runtime permissions \(node [\d.]+, no permission model\): /);
  assert.match(
    report,
    /\n {2}add --(experimental-)?permission: the permission model is off.*\n {2}the server starts with a warning$/,
  );
});
