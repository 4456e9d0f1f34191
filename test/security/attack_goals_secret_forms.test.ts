// Attacker goal: learn a secret through a form the redaction rules did not know (docs/security.md,
// "Secrets in served text"). The outside attack found credentials in URLs with an empty user name
// (`redis://:pw@`), an e-mail user name, an `@` inside the password (URL parsers take the LAST `@`, and
// the old rule cut at the first, leaving 10 of 12 characters in clear) and JSON-escaped slashes; GitLab
// tokens glued to letters or underscores; Slack app-level and rotating tokens; SSH2 and PuTTY private keys.
// Two worlds hold the same page with different secrets (same lengths, the `@` of a password moved or
// gone): every reply and every audit record must be the same in both, and no piece of a secret may reach
// stdout or the audit log. Under Node and Deno, through the real bundle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, RUNTIME, startReady } from '../helpers/harness.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A deterministic pseudo-random run, different for each seed. */
function run(seed: number, length: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += ALNUM[x % ALNUM.length];
  }
  return out;
}

/** The secrets of world `w`, each a value an attacker would want. */
function secrets(w: number): string[] {
  const s = (n: number, len: number) => run(1000 * w + n, len);
  const at = w === 0 ? `${s(3, 1)}@${s(4, 10)}` : s(4, 12); // the `@` inside the password, or none
  return [s(1, 13), s(2, 13), at, s(5, 13), s(6, 20), s(7, 20), s(8, 24), s(9, 16), s(10, 30), s(11, 30)];
}

function page(w: number): string {
  const [empty, email, withAt, json, glItalic, glGlued, xapp, xoxe, ssh2, putty] = secrets(w);
  return [
    '# Deploy notes',
    '',
    `Cache: redis://:${empty}@cache:6379/0`,
    `Mirror: https://john@example.com:${email}@mirror.example.com/x`,
    `Database: https://admin:${withAt}@db/x`,
    `Config: {"url":"https:\\/\\/deploy:${json}@db\\/app"}`,
    `GitLab: _glpat-${glItalic}_ and MYglpat-${glGlued}`,
    `Slack: xapp-1-A0123-${xapp} and xoxe-1-${xoxe}`,
    '',
    '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----',
    `Comment: "rsa-key" ${ssh2}`,
    '---- END SSH2 ENCRYPTED PRIVATE KEY ----',
    '',
    'PuTTY-User-Key-File-3: ssh-ed25519',
    'Encryption: none',
    'Private-Lines: 1',
    putty,
    'Private-MAC: 0123456789abcdef',
    '',
    '## After the keys',
    'plain text stays',
    '',
  ].join('\n');
}

async function script(w: number): Promise<{ replies: string[]; stdout: string; audit: string }> {
  const root = makeTree({ 'deploy.md': page(w) });
  utimesSync(join(root, 'deploy.md'), 1_700_000_000, 1_700_000_000);
  const c: Client = await startReady({ config: { roots: [{ name: 'docs', path: root }] } });
  try {
    const replies: string[] = [];
    const keep = (m: unknown) =>
      replies.push(JSON.stringify(m).replace(/"id":\d+,/, '').replace(/ \[[0-9a-f]{12}\]/g, ''));
    keep(await c.call('read_doc', { path: 'deploy.md' }));
    keep(await c.call('read_doc', { path: 'deploy.md', startLine: 11, endLine: 17 }));
    keep(await c.call('outline_doc', { path: 'deploy.md' }));
    keep(await c.call('doc_info', { path: 'deploy.md' }));
    keep(await c.request('resources/read', { uri: 'docs://docs/deploy.md' }));
    // Probes built from world 0's secrets, the same in both worlds: a hit in one world only would be a bit.
    for (const secret of secrets(0)) {
      keep(await c.call('search_docs', { query: secret.slice(0, 8), mode: 'literal' }));
      keep(await c.call('search_docs', { query: secret.slice(2, 10), mode: 'words' }));
    }
    // A query that carries a credential URL is logged redacted (the audit log shares the rule table).
    keep(await c.call('search_docs', { query: `redis://:${secrets(0)[0]}@cache`, mode: 'literal' }));
    await c.close();
    return { replies, stdout: c.stdout, audit: readFileSync(String(c.auditPath), 'utf8') };
  } finally {
    await c.close();
  }
}

describe(`attacker goal: learn a secret in a form the rules missed (${RUNTIME})`, () => {
  test('two worlds differing only in their secrets get the same replies; no piece reaches stdout or the log', async () => {
    const [a, b] = [await script(0), await script(1)];
    assert.equal(a.replies.length, b.replies.length);
    for (let i = 0; i < a.replies.length; i++) assert.equal(a.replies[i], b.replies[i], `reply ${i} differs`);
    for (const w of [0, 1]) {
      for (const secret of secrets(w)) {
        // The probes are 8-character pieces of world 0's secrets and are logged as queries; a whole secret never.
        assert.ok(!a.audit.includes(secret) && !b.audit.includes(secret), `the audit log holds ${secret}`);
        for (let at = 0; at + 8 <= secret.length; at += 4) {
          const piece = secret.slice(at, at + 8);
          assert.ok(!a.stdout.includes(piece) && !b.stdout.includes(piece), `stdout holds ${piece} of ${secret}`);
          if (w === 1) assert.ok(!b.audit.includes(piece), `the audit log holds ${piece} of ${secret}`);
        }
      }
    }
    assert.match(String(a.replies[0]), /plain text stays/);
    assert.match(String(a.replies[0]), /https:\/\/\[REDACTED:url-credentials\]@db\/x/);
  });
});
