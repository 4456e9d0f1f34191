// Secrets inside served documents (docs/security.md, "Secrets in served text"): with the production
// default files.redactSecrets, high-confidence credentials never leave in tool output or resources; the
// reply counts each redaction (_meta and a line of text) and so does the audit record. Off, text is raw.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const GH = 'ghp_' + 'Ab1Cd2Ef3'.repeat(5); // 45 characters: longer than the 36 the old rule wanted
const GL = 'glpat-xY12abCD34efGH56ijKL';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7ZkeyBody\n-----END RSA PRIVATE KEY-----';
const URL_PASS = 's3cr3tPassw0rd';
const LEAKS = [GH, GL, AWS, 'MIIEowIBAAKCAQEAq7ZkeyBody', URL_PASS];
const root = makeTree({
  'setup.md':
    `# Setup\n\nexport GITHUB_TOKEN=${GH}\nGITLAB=${GL}\naws ${AWS}\n\n${PEM}\n\nclone https://alice:${URL_PASS}@git.example.com/r.git\n`,
  'plain.md': '# Plain\n\nA page about tokens and keys, with no secret in it: ghp_ and AKIA are only prefixes.\n',
});

async function server(redactSecrets?: boolean): Promise<Client> {
  const files = redactSecrets === undefined ? {} : { redactSecrets };
  return startReady({ config: { roots: [{ name: 'docs', path: root }], files, limits: { callsPerMinute: 0 } } });
}

describe(`secrets in served text (${RUNTIME})`, () => {
  test('by default read_doc, search, outline and resources/read redact them and count each redaction', async () => {
    const c = await server();
    try {
      const read = await c.call('read_doc', { path: 'setup.md' });
      const meta = (read['_meta'] as Json | undefined)?.['io.github.docwarden/redacted'] as Record<string, number>;
      assert.deepEqual(meta, {
        'private-key': 1,
        'url-credentials': 1,
        'aws-access-key-id': 1,
        'github-token': 1,
        'gitlab-token': 1,
      });
      assert.match(c.textOf(read), /\[REDACTED:github-token\]/);

      await c.call('search_docs', { query: 'glpat', mode: 'literal', contextLines: 2 });
      await c.call('search_docs', { query: 'export token', mode: 'words' });
      const res = await c.request('resources/read', { uri: 'docs://docs/setup.md' });
      assert.ok(res.result, JSON.stringify(res.error));
      for (const leak of LEAKS) assert.ok(!c.stdout.includes(leak), `${leak} reached the client`);
      const plain = await c.call('read_doc', { path: 'plain.md' });
      assert.equal(plain['_meta'], undefined, 'an ordinary page is served as it is');
      assert.match(c.textOf(plain), /ghp_ and AKIA are only prefixes/);
      const audited = c.auditRecords().filter((r) => Array.isArray(r['redacted']));
      assert.ok(audited.length >= 3, 'each redacting reply is recorded');
      assert.deepEqual(audited[0]?.['redacted'], Object.entries(meta).map(([family, count]) => ({ family, count })));
    } finally {
      await c.close();
    }
  });

  test('files.redactSecrets: false serves the text unchanged', async () => {
    const c = await server(false);
    try {
      const read = await c.call('read_doc', { path: 'setup.md' });
      assert.ok(c.textOf(read).includes(GH));
      assert.equal(read['_meta'], undefined);
    } finally {
      await c.close();
    }
  });
});
