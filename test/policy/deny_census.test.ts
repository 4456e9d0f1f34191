// The built-in deny list catches secret files by family (my-secrets.md, server.key.txt, kubeconfig.yaml,
// ...) and the widening loses no ordinary page: a census over the two shared documentation corpora (Linux
// kernel and Node API docs) prints how many entries each rule hides. Only the first release's exact-name
// rules `credentials*` and `secrets` hide anything there (the kernel's security/credentials.rst and its
// security/secrets/ folder), kept on purpose: in a docs root such names are more often secrets than pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DENY, DEFAULT_EXTENSIONS } from '../../src/config/schema.ts';
import { compileGlob } from '../../src/policy/glob.ts';
import { createPathRules, foldName, relPathAllowed, segmentAllowed } from '../../src/policy/path_rules.ts';
import { corporaMissing, corpus } from '../helpers/corpora.ts';

const RULES = createPathRules([...DEFAULT_EXTENSIONS], [...DEFAULT_DENY], true);
const KEPT: readonly string[] = ['credentials*', 'secret', 'secrets'];

test("the built-in deny list covers the families of the issue's served names", () => {
  const secrets = [
    'my-secrets.md',
    'passwords.md',
    'production.env.yml',
    'kubeconfig.yaml',
    'server.key.txt',
    'cert.pem.txt',
    'ssh_host_rsa_key.txt',
    'known_hosts.txt',
    'authorized_keys.txt',
    'htpasswd.txt',
    'aws-credentials.md',
    'credentials.json',
    'db_password.yml',
    'staging.kubeconfig',
    'terraform.tfstate.backup',
    'client.p12.txt',
    '.env',
  ];
  for (const name of secrets) assert.equal(segmentAllowed(RULES, name), false, `${name} is served`);
  const ordinary = [
    'index.rst',
    'securityfs-secrets-coco',
    'key-management.md',
    'password-policy.md',
    'keys.md',
    'certificates.md',
    'environment.md',
    'tokens.md',
    'shadow-vars.rst',
    'keyboard.rst',
  ];
  for (const name of ordinary) assert.equal(segmentAllowed(RULES, name), true, `${name} is denied`);
});

function entries(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    out.push(child);
    if (d.isDirectory()) out.push(...entries(dir, child));
  }
  return out;
}

for (const name of ['linux-docs', 'node-api'] as const) {
  test(`census on the ${name} corpus: the built-in deny list hides no ordinary page`, {
    skip: corporaMissing() ?? false,
  }, (t) => {
    const all = entries(corpus(name));
    const denied = all.filter((rel) =>
      !rel.split('/').every((s) => segmentAllowed(RULES, s)) || !relPathAllowed(RULES, rel)
    );
    // The same census without the two first-release rules: what the family rules add on their own.
    const FAMILIES = createPathRules([...DEFAULT_EXTENSIONS], DEFAULT_DENY.filter((p) => !KEPT.includes(p)), true);
    const byFamilies = all.filter((rel) => !rel.split('/').every((s) => segmentAllowed(FAMILIES, s)));
    // Per rule, how many entries it alone would hide: printed so a reviewer sees the near misses too.
    const perRule = DEFAULT_DENY.map((p) => {
      const g = compileGlob(p, { fold: foldName });
      return [p, all.filter((rel) => rel.split('/').some((s) => g.matches(foldName(s)))).length] as const;
    }).filter(([, n]) => n > 0);
    t.diagnostic(`${name}: ${all.length} entries, ${denied.length} denied by ${DEFAULT_DENY.length} built-in rules`);
    for (const [p, n] of perRule) t.diagnostic(`  ${p}: ${n}`);
    assert.ok(all.length > 50, 'the corpus unpacked');
    assert.deepEqual(byFamilies, [], `ordinary pages denied by the families: ${byFamilies.slice(0, 10).join(', ')}`);
    const known = name === 'linux-docs'
      ? ['security/credentials.rst', 'security/secrets', 'security/secrets/coco.rst', 'security/secrets/index.rst']
      : [];
    assert.deepEqual(denied.map((r) => r.replace(/^linux-docs\//, '')).filter((r) => !known.includes(r)), []);
  });
}
