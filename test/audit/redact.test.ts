// Tests for src/audit/redact.ts: every family has positives, negatives and a 100 KB adversarial input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACT_FAMILIES, redactText, redactValue } from '../../src/audit/redact.ts';
import type { RedactFamily } from '../../src/audit/redact.ts';

type Case = { readonly input: string; readonly expected: string };
type FamilyCases = {
  readonly positive: readonly Case[];
  // Inputs this family must leave alone (another family may still redact them; see `untouched`).
  readonly negative: readonly string[];
  readonly adversarial: readonly string[];
};

const M = (family: string): string => `[REDACTED:${family}]`;
const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nProc-Type: 4,ENCRYPTED\nq0+abc==\n-----END RSA PRIVATE KEY-----';
const KB100 = 100_000;
const fill = (unit: string): string => unit.repeat(Math.ceil(KB100 / unit.length)).slice(0, KB100);

const CASES: Readonly<Record<RedactFamily, FamilyCases>> = {
  'private-key': {
    positive: [
      { input: `key:\n${PEM}\nafter`, expected: `key:\n${M('private-key')}\nafter` },
      { input: '-----BEGIN OPENSSH PRIVATE KEY-----', expected: M('private-key') },
      { input: 'x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq (cut off)', expected: `x ${M('private-key')}` },
      {
        input: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nxcA\n-----END PGP PRIVATE KEY BLOCK----- ok',
        expected: `${M('private-key')} ok`,
      },
      { input: `${PEM} and ${PEM}`, expected: `${M('private-key')} and ${M('private-key')}` },
      {
        input: '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nAAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ---- ok',
        expected: `${M('private-key')} ok`,
      },
      {
        input: 'PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAA\nPrivate-MAC: 0a1b2c\nok',
        expected: `${M('private-key')}\nok`,
      },
    ],
    negative: [
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      '-----BEGIN PUBLIC KEY-----',
      'BEGIN RSA PRIVATE KEY',
    ],
    adversarial: [
      fill('-----BEGIN RSA PRIVATE KEY-----'),
      '-----BEGIN' + fill(' A'),
      fill('-----END ') + '-----BEGIN EC PRIVATE KEY-----',
      fill('PuTTY-User-Key-File-2: Private-MAC: '),
    ],
  },
  'url-credentials': {
    positive: [
      {
        input: 'clone https://alice:s3cr3t@git.example.com/repo.git',
        expected: `clone https://${M('url-credentials')}@git.example.com/repo.git`,
      },
      { input: 'postgres://app:p%40ss:word@db:5432/x', expected: `postgres://${M('url-credentials')}@db:5432/x` },
      // No user name, an e-mail user name, an `@` in the password (the credential runs to the LAST `@`), JSON.
      { input: 'redis://:Sup3rS3cret@cache:6379/0', expected: `redis://${M('url-credentials')}@cache:6379/0` },
      { input: 'https://jo@example.com:Hunter2@host/x', expected: `https://${M('url-credentials')}@host/x` },
      { input: 'https://admin:p@ssW0rdTail@db/x', expected: `https://${M('url-credentials')}@db/x` },
      { input: '"https:\\/\\/u:pw@db\\/app"', expected: `"https:\\/\\/${M('url-credentials')}@db\\/app"` },
      // `#` and `?` in a DSN password (the second outside attack, N3).
      { input: 'postgresql://app:Tr0ub4dor#3xYz@db/x', expected: `postgresql://${M('url-credentials')}@db/x` },
      { input: 'postgresql://app:pa?ss98@db', expected: `postgresql://${M('url-credentials')}@db` },
    ],
    negative: [
      'https://example.com:8443/a@b',
      'mailto:alice@example.com',
      'https://alice@example.com/',
      'https://alice@example.com:8443/x',
      'https://example.com?q=a@b',
      'https://example.com#frag@x',
    ],
    adversarial: [
      'a://' + fill('b:'),
      fill('a://'),
      'http://' + fill('u') + ':',
      'http://' + fill(':@'),
      fill('a:\\/\\/:@'),
    ],
  },
  'aws-access-key-id': {
    positive: [
      { input: 'id=AKIAIOSFODNN7EXAMPLE.', expected: `id=${M('aws-access-key-id')}.` },
      { input: '(ASIAY34FZKBOKMUTVV7A)', expected: `(${M('aws-access-key-id')})` },
      // Glued to other letters it is still a key id (no page of the two corpora holds such a run).
      { input: 'xAKIAIOSFODNN7EXAMPLEYz', expected: `x${M('aws-access-key-id')}Yz` },
      { input: 'XAKIAIOSFODNN7EXAMPLE', expected: `X${M('aws-access-key-id')}` },
    ],
    negative: ['AKIAIOSFODNN7EXAMPL', 'akiaiosfodnn7example', 'AKIA-IOSFODNN7EXAMPLE'],
    adversarial: [fill('AKIA'), fill('AKIAIOSFODNN7EXAMPLEX')],
  },
  'github-token': {
    positive: [
      { input: `use ${GH} now`, expected: `use ${M('github-token')} now` },
      { input: 'gho_' + 'x'.repeat(36), expected: M('github-token') },
      { input: 'github_pat_11ABCDEFG0_abcdefghijklmnopqrstuvwxyz', expected: M('github-token') },
      // Longer classic tokens (GitHub allows up to 255 characters) were missed when the rule said {36}.
      { input: 'ghp_' + 'x'.repeat(37), expected: M('github-token') },
      { input: `t=${'ghs_' + 'Ab1'.repeat(30)};`, expected: `t=${M('github-token')};` },
      { input: 'ghp_' + 'x'.repeat(256), expected: M('github-token') }, // over 255: a longer run hides no token
    ],
    negative: ['ghp_' + 'x'.repeat(35), 'ghx_' + 'x'.repeat(36), 'github_pat_short'],
    adversarial: [fill('ghp_'), 'ghp_' + fill('a'), fill('github_pat_')],
  },
  'gitlab-token': {
    positive: [
      { input: 'GITLAB_TOKEN glpat-xY12abCD34efGH56ijKL', expected: `GITLAB_TOKEN ${M('gitlab-token')}` },
      { input: '(glpat-' + 'a_b-'.repeat(8) + ')', expected: `(${M('gitlab-token')})` },
      // Glued to letters or Markdown italics it is still a token.
      { input: 'xglpat-xY12abCD34efGH56ijKL', expected: `x${M('gitlab-token')}` },
      { input: '_glpat-xY12abCD34efGH56ijKL_', expected: `_${M('gitlab-token')}` },
      // Deploy, runner and other GitLab token prefixes (the second outside attack, N3).
      { input: 'gldt-xY12abCD34efGH56ijKL', expected: M('gitlab-token') },
      { input: 'glrt-xY12abCD34efGH56ijKL', expected: M('gitlab-token') },
    ],
    negative: ['glpat-short', 'glpat_xY12abCD34efGH56ijKL'],
    adversarial: [fill('glpat-'), 'glpat-' + fill('a'), fill('-glpat')],
  },
  'slack-token': {
    positive: [
      { input: 'SLACK=xoxb-1234567890-abcdefghijkl', expected: `SLACK=${M('slack-token')}` },
      { input: 'xapp-1-A0123-4567890-abcdef', expected: M('slack-token') },
      { input: 'xoxe-1-ABCDEFGHIJKLMN', expected: M('slack-token') },
      { input: 'xoxe.xoxp-1-ABCDEFGHIJKL', expected: M('slack-token') },
      { input: 'xoxc-1234567890-abcdefghijkl', expected: M('slack-token') },
      { input: 'xoxd-abcdefghijkl1234', expected: M('slack-token') },
    ],
    negative: ['xoxb-123', 'xoxz-1234567890-abcdef', 'xoxb 1234567890'],
    adversarial: [fill('xoxb-'), fill('xoxp-123456789!')],
  },
  'npm-token': {
    positive: [{
      input: '//registry.npmjs.org/:_authToken npm_' + 'A1b2'.repeat(9),
      expected: `//registry.npmjs.org/:_authToken ${M('npm-token')}`,
    }],
    negative: ['npm_' + 'a'.repeat(35), 'npm_install_' + 'a'.repeat(36), 'xnpm_' + 'a'.repeat(36)],
    adversarial: [fill('npm_'), 'npm_' + fill('a')],
  },
  jwt: {
    positive: [
      { input: `token ${JWT} end`, expected: `token ${M('jwt')} end` },
      { input: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', expected: M('jwt') },
    ],
    negative: ['eyJhbGciOiJub25lIn0', 'eyJhbGciOiJub25lIn0.notjwt.x', 'xeyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    adversarial: [fill('eyJ'), 'eyJ' + fill('a'), fill('eyJaaaaaaaaaa.'), fill('eyJaaaaaaaaaa.eyJ')],
  },
  'bearer-token': {
    positive: [
      {
        input: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
        expected: `Authorization: Bearer ${M('bearer-token')}`,
      },
      { input: "-H 'X-Api: bearer AbCdEf0123456789.xyz=='", expected: `-H 'X-Api: bearer ${M('bearer-token')}'` },
    ],
    negative: ['The bearer of bad news', 'bearer instruments'],
    adversarial: [fill('bearer '), 'bearer ' + fill('a'), fill('Bearer        ')],
  },
  authorization: {
    positive: [
      { input: 'Authorization: Basic dXNlcjpwYXNz', expected: `Authorization: Basic ${M('authorization')}` },
      { input: 'authorization=short', expected: `authorization=${M('authorization')}` },
      { input: '{"Authorization": "Bearer abc"}', expected: `{"Authorization": "Bearer ${M('authorization')}"}` },
    ],
    negative: ['authorization required', 'Authorization header'],
    adversarial: [fill('authorization:'), fill('Authorization: '), 'authorization=' + fill('"')],
  },
  'aws-secret-key': {
    positive: [
      {
        input: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        expected: `aws_secret_access_key = ${M('aws-secret-key')}`,
      },
      { input: 'AWS_SECRET_ACCESS_KEY="abc def"', expected: `AWS_SECRET_ACCESS_KEY="${M('aws-secret-key')}"` },
    ],
    negative: ['aws_secret_access_key is documented here', 'aws_access_key_id = x'],
    adversarial: [fill('aws_secret_access_key='), fill('aws_secret_access_key    ')],
  },
  'key-value': {
    positive: [
      { input: 'password=hunter2 user=bob', expected: `password=${M('key-value')} user=bob` },
      { input: 'passwd: letmein', expected: `passwd: ${M('key-value')}` },
      { input: '?token=abc&page=2', expected: `?token=${M('key-value')}&page=2` },
      { input: 'SECRET = "two words"', expected: `SECRET = "${M('key-value')}"` },
      { input: "{'api_key': 'k-1'}", expected: `{'api_key': '${M('key-value')}'}` },
      { input: 'DB_PASSWORD=x;', expected: `DB_PASSWORD=${M('key-value')};` },
    ],
    negative: ['the password is long', 'tokenizer', 'secret sauce', 'api_key documentation', 'password=""'],
    adversarial: [fill('password'), fill('password="'), 'token' + fill('_'), fill('token= ')],
  },
  'high-entropy': {
    positive: [
      { input: 'key Z9xq2Lm8Pw4Rt6Yv1Bn3Kc5Hd7Jf0Gs2 end', expected: `key ${M('high-entropy')} end` },
      { input: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', expected: M('high-entropy') },
    ],
    negative: [
      'Documentation/admin-guide/mm/index.rst',
      'kernel/Documentation/networking/device_drivers/ethernet/intel/e1000e',
      'release-notes/v2024/changelog-2023-q4',
      'Pneumonoultramicroscopicsilicovolcanoconiosis',
      'getUserProfileSettingsNotifications2024',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      '123e4567-e89b-12d3-a456-426614174000',
      'Z9xq2Lm8Pw4Rt6Yv1Bn3Kc5Hd7Jf0G',
    ],
    adversarial: [fill('aB3/'), fill('a'.repeat(31) + ' '), fill('Z9xq2Lm8Pw4Rt6Yv1Bn3Kc5Hd7Jf0Gs2+')],
  },
};

test('`REDACT_FAMILIES` lists exactly the families under test', () => {
  assert.deepEqual([...REDACT_FAMILIES].sort(), Object.keys(CASES).sort());
});

for (const family of REDACT_FAMILIES) {
  const cases = CASES[family];
  test(`\`redactText()\` redacts ${family} secrets`, () => {
    for (const { input, expected } of cases.positive) assert.equal(redactText(input), expected, input);
  });
  test(`\`redactText()\` leaves ${family} look-alikes to other rules`, () => {
    for (const input of cases.negative) assert.ok(!redactText(input).includes(M(family)), input);
  });
  // Without a clock: a rule that backtracks badly would not finish on these inputs (the runner's hang
  // guard reports it); a linear one returns at once.
  test(`\`redactText()\` stays linear on 100 KB adversarial ${family} input`, () => {
    for (const input of cases.adversarial) assert.equal(typeof redactText(input), 'string', input.slice(0, 30));
  });
}

test('`redactText()` leaves ordinary text, paths and our own hashes untouched', () => {
  const untouched = [
    'How to configure the reverse proxy: see docs/guides/proxy.md',
    'Documentation/admin-guide/mm/index.rst',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'The password policy requires 12 characters.',
    'naïve café 日本語 😀',
    '',
  ];
  for (const s of untouched) assert.equal(redactText(s), s);
});

test('`redactText()` redacts random base64 of 32+ chars almost always', () => {
  // Deterministic pseudo-random strings (LCG), so the test cannot flake.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let seed = 12345;
  let redacted = 0;
  for (let i = 0; i < 200; i++) {
    let s = '';
    for (let j = 0; j < 40; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      s += alphabet.charAt((seed >>> 16) & 63);
    }
    if (redactText(s) === M('high-entropy')) redacted++;
  }
  assert.ok(redacted >= 190, `only ${redacted}/200 redacted`);
});

test('`redactText()` redacts several families in one string', () => {
  const input = `user=bob password=pw1 id AKIAIOSFODNN7EXAMPLE ${GH} ${JWT}`;
  assert.equal(
    redactText(input),
    `user=bob password=${M('key-value')} id ${M('aws-access-key-id')} ${M('github-token')} ${M('jwt')}`,
  );
});

test('`redactValue()` redacts strings deep inside objects and arrays', () => {
  const input = {
    tool: 'search',
    args: { query: `find ${GH}`, paths: ['a.md', 'AKIAIOSFODNN7EXAMPLE'] },
    n: 3,
    ok: true,
    none: null,
  };
  assert.deepEqual(redactValue(input), {
    tool: 'search',
    args: { query: `find ${M('github-token')}`, paths: ['a.md', M('aws-access-key-id')] },
    n: 3,
    ok: true,
    none: null,
  });
});

test('`redactValue()` hides values under secret-looking keys whatever they are', () => {
  const input = {
    password: 'a',
    PASSWD: 1,
    client_secret: { x: 'y' },
    Authorization: 'b',
    api_key: ['c'],
    apiKey: 'd',
    private_key: 'e',
    access_key: 'f',
    credentials: 'g',
    token: 'h',
    _auth: 'i',
    has_token: true,
    token_hint: null,
  };
  const out = redactValue(input) as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    const expected = key === 'has_token' ? true : key === 'token_hint' ? null : '[REDACTED:by-key]';
    assert.equal(out[key], expected, key);
  }
  assert.deepEqual(redactValue({ author: 'Ann', path: 'a.md', key: 'x' }), { author: 'Ann', path: 'a.md', key: 'x' });
});

test('`redactValue()` drops prototype-named keys and returns fresh plain objects', () => {
  const input: unknown = JSON.parse(
    '{"__proto__": {"polluted": true}, "constructor": 1, "prototype": 2, "a": {"__proto__": {"x": 1}}}',
  );
  const out = redactValue(input) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['a']);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(out['a'], {});
  assert.notEqual(out, input);
});

test('`redactValue()` caps depth at 8', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 20; i++) deep = { d: deep };
  let node = redactValue(deep);
  let levels = 0;
  while (typeof node === 'object' && node !== null) {
    node = (node as Record<string, unknown>)['d'];
    levels++;
  }
  assert.equal(levels, 8);
  assert.equal(node, '[depth limit]');
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.doesNotThrow(() => JSON.stringify(redactValue(cyclic)));
});

test('`redactValue()` caps arrays at 100 items and objects at 100 keys', () => {
  const arr = redactValue(Array.from({ length: 250 }, (_, i) => i)) as unknown[];
  assert.equal(arr.length, 101);
  assert.equal(arr[99], 99);
  assert.equal(arr[100], '…[+150 items]');
  const obj = redactValue(Object.fromEntries(Array.from({ length: 105 }, (_, i) => [`k${i}`, i]))) as Record<
    string,
    unknown
  >;
  assert.equal(Object.keys(obj).length, 101);
  assert.equal(obj['…'], '[+5 keys]');
  assert.deepEqual(redactValue(Array.from({ length: 100 }, () => 1)), Array.from({ length: 100 }, () => 1));
});

test('`redactValue()` cuts strings at 2,000 chars and says how many were cut', () => {
  assert.equal(redactValue('x'.repeat(2000)), 'x'.repeat(2000));
  assert.equal(redactValue('x'.repeat(2500)), 'x'.repeat(2000) + '…[+500 chars]');
  // A secret straddling the cut is redacted before cutting, so no piece of it survives.
  const straddle = 'x '.repeat(985) + GH + ' tail';
  const out = redactValue(straddle) as string;
  assert.ok(!out.includes('ghp_'));
  assert.ok(out.includes(M('github-token')));
  // A surrogate pair is never split.
  const emoji = redactValue('x'.repeat(1999) + '😀' + 'y'.repeat(10)) as string;
  assert.equal(emoji, 'x'.repeat(1999) + '…[+12 chars]');
});

test('`redactValue()` never shows the start of a secret cut by the scan limit', () => {
  // A long private key shrinks the scanned head to a few chars; a token straddling the 65,536-char scan
  // end must not show its first half.
  const pem = `-----BEGIN RSA PRIVATE KEY-----\n${'QUJD'.repeat(16_000)}\n-----END RSA PRIVATE KEY-----\n`;
  const input = pem + 'p'.repeat(65_536 - 20 - pem.length) + GH + 'z'.repeat(1000);
  const out = redactValue(input) as string;
  assert.ok(!out.includes('ghp_'), out.slice(-80));
  assert.match(out, /…\[\+\d+ chars\]$/);
});

test('`redactValue()` redacts object keys and keeps non-JSON values harmless', () => {
  assert.deepEqual(redactValue({ [GH]: 1 }), { [M('github-token')]: 1 });
  assert.equal(redactValue(() => 1), '[function]');
  assert.equal(redactValue(10n), '[bigint]');
  assert.equal(redactValue(undefined), undefined);
});
