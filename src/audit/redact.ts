// Secret redaction: ONE rule table for everything written to the audit log and MCP log notifications,
// and (its high-confidence families only) for document text served to the client (docs/security.md,
// "Secrets in served text"; gitleaks rules rewritten for plain JS RegExp).
// Every pattern is linear-time: no nested unbounded quantifiers, and each unbounded run starts at a run boundary.
import { escapedFit } from '../text/escape.ts';

/** The families `redactText()` knows, in the order they are applied. */
export const REDACT_FAMILIES = [
  'private-key', 'url-credentials', 'aws-access-key-id', 'github-token', 'gitlab-token', 'slack-token', 'npm-token',
  'jwt', 'bearer-token', 'authorization', 'aws-secret-key', 'key-value', 'high-entropy',
] as const;
export type RedactFamily = (typeof REDACT_FAMILIES)[number];

// 'whole' replaces the match; 'value' keeps group 1 (the key) and replaces group 2 (the value).
type Rule = { readonly kind: 'whole' | 'value'; readonly family: RedactFamily; readonly pattern: RegExp };

const MAX_DEPTH = 8;
const MAX_ITEMS = 100;
const MAX_STRING = 2000;
// Longer strings are redacted on their first MAX_SCAN chars only, and then nothing within SCAN_GUARD of
// that end is kept, so a secret cut in half by the scan end never shows its first half.
const MAX_SCAN = 65_536;
const SCAN_GUARD = 256;

// A value after `key=`/`key: `: a quoted run (the opening quote is kept) or an unquoted token. It never
// re-redacts a marker an earlier rule left. Nothing follows it in any pattern, so it never backtracks.
const VALUE = String.raw`((?!["']?\[REDACTED:)(?:"[^"\r\n]+|'[^'\r\n]+|[^\s"',;&]+))`;
const SEPARATOR = String.raw`["']?\s{0,8}[:=]\s{0,8}`;
const SCHEME = String.raw`["']?[a-z]{1,16}\s{1,8}`;
const SECRET_WORDS =
  String.raw`(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)`;

const RULES: readonly Rule[] = [
  // scheme://[user]:pass@host (JSON's `:\/\/`; `?#` in DSN passwords): one greedy run cut at its LAST `@` (applyRule).
  { kind: 'value', family: 'url-credentials',
    pattern: /(\b[a-z][a-z0-9+.-]{0,20}:(?:\/\/|\\\/\\\/))([^\s/\\"<>`{}|^]{1,512})/gi },
  // No boundaries: a key id glued to other letters (`xAKIA…Yz`) is still one; none of the 8,000 pages of
  // the Linux and Node.js docs holds AKIA/ASIA + 16 of [A-Z0-9] anywhere, so this costs no false positive.
  { kind: 'whole', family: 'aws-access-key-id', pattern: /(?:AKIA|ASIA)[A-Z0-9]{16}/g },
  // Classic tokens are 36 characters after the prefix today; GitHub allows up to 255: any longer run goes too.
  { kind: 'whole', family: 'github-token', pattern: /gh[pousr]_[A-Za-z0-9]{36,}/g },
  { kind: 'whole', family: 'github-token', pattern: /github_pat_[A-Za-z0-9_]{22,}/g },
  // No boundary: `_glpat-…_` (italics), `MYglpat-…` are tokens. Slack: also app-level, rotating tokens.
  { kind: 'whole', family: 'gitlab-token', pattern: /gl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat|ffct|agent)-[\w-]{20,}/g },
  { kind: 'whole', family: 'slack-token', pattern: /(?:xox[abcdeprs]|xoxe\.xox[bp]|xapp)-[A-Za-z0-9-]{10,}/g },
  { kind: 'whole', family: 'npm-token', pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g },
  // The lookbehind makes every attempt start at the beginning of a run, so the runs are scanned once.
  { kind: 'whole', family: 'jwt',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { kind: 'value', family: 'bearer-token',
    pattern: /(?<![A-Za-z0-9_-])(bearer\s{1,8})((?!\[REDACTED:)[A-Za-z0-9._~+/-]{16,}=*)/gi },
  // Any scheme (Basic, short Bearer, none). Skipped when the bearer rule already redacted the value.
  { kind: 'value', family: 'authorization',
    pattern: new RegExp(String.raw`(authorization${SEPARATOR}(?!${SCHEME}\[REDACTED:)(?:${SCHEME})?)${VALUE}`, 'gi') },
  { kind: 'value', family: 'aws-secret-key',
    pattern: new RegExp(String.raw`(aws_?secret_?access_?key${SEPARATOR})${VALUE}`, 'gi') },
  // No left boundary on purpose: `db_password=` and `aws_secret=` must match too; the key is kept.
  { kind: 'value', family: 'key-value',
    pattern: new RegExp(String.raw`(${SECRET_WORDS}[A-Za-z0-9_.-]{0,24}${SEPARATOR})${VALUE}`, 'gi') },
  { kind: 'whole', family: 'high-entropy', pattern: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{32,}/g },
];

// PEM/OpenSSH blocks, SSH2 (RFC 4716) private keys, PuTTY .ppk files (which end with their Private-MAC line).
const BEGIN_KEY = new RegExp(String.raw`-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY[ A-Z]{0,10}-----|` +
  String.raw`---- BEGIN SSH2[ A-Z]{0,30}PRIVATE KEY ----|PuTTY-User-Key-File-\d: `, 'g');
const END_KEY = /-----END[ A-Z0-9]{0,60}-----|---- END SSH2[ A-Z]{0,30}----|Private-(?:MAC|Hash): [0-9a-fA-F]*/g;

// Object keys whose value is a credential whatever it looks like.
const SECRET_KEY_NAME = new RegExp(`${SECRET_WORDS}|authorization|cookie|^_?auth$`, 'i');
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const marker = (family: RedactFamily | 'by-key'): string => `[REDACTED:${family}]`;

// Two different high-entropy names must not log alike: each gets a short keyed hash (the key is per
// process and never written), so a record tells them apart without revealing or confirming either.
let tagOf: ((secret: string) => string) | null = null;
export function setRedactionTag(tag: (secret: string) => string): void {
  tagOf = tag;
}

// Private-key blocks are found by hand: a lazy `BEGIN[\s\S]*?END` regex is quadratic on many BEGIN
// lines without an END. A BEGIN with no END after it redacts to the end of the string, because the
// rest is (probably a cut-off piece of) the key body, and `carry.open` says the next piece goes on in it.
// `keepLines` keeps the block's line breaks after the marker: a served document keeps its line numbers.
function redactPrivateKeys(s: string, keepLines = false, carry = { open: false }): string {
  if (!carry.open && s.search(BEGIN_KEY) < 0) return s; // search() ignores and keeps lastIndex
  let out = '';
  for (let from = 0; ;) {
    BEGIN_KEY.lastIndex = from;
    const begin = carry.open ? null : BEGIN_KEY.exec(s);
    if (!carry.open && begin === null) return out + s.slice(from);
    const start = begin?.index ?? from;
    END_KEY.lastIndex = start + (begin?.[0].length ?? 0);
    const end = END_KEY.exec(s);
    const after = end === null ? s.length : end.index + end[0].length;
    const breaks = keepLines ? s.slice(start, after).replace(/[^\n]+/g, '') : '';
    out += s.slice(from, start) + (begin ? marker('private-key') : '') + breaks;
    from = after;
    if ((carry.open = end === null)) return out;
  }
}

function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

// Random base64 of 32+ chars has digits and about as many upper- as lower-case letters. Paths with a
// version number (`kernel/Documentation/.../e1000e`, entropy 4.006) and camelCase names have few
// capitals, so each case must be at least a fifth of the letters. Hex digests (we log SHA-256 values
// ourselves) have no capitals and stay, and a 64-char lowercase hex string is kept explicitly.
function looksRandom(run: string): boolean {
  if (/^[0-9a-f]{64}$/.test(run)) return false;
  const upper = run.replace(/[^A-Z]/g, '').length;
  const lower = run.replace(/[^a-z]/g, '').length;
  const letters = upper + lower;
  if (!/[0-9]/.test(run) || upper < letters / 5 || lower < letters / 5) return false;
  return shannonEntropy(run) >= 4.0;
}

function applyRule(s: string, rule: Rule): string {
  if (rule.family === 'url-credentials') {
    return s.replace(rule.pattern, (match: string, scheme: string, authority: string) => {
      const at = authority.lastIndexOf('@'), user = authority.slice(0, Math.max(0, at));
      return user.includes(':') ? scheme + marker(rule.family) + authority.slice(at) : match;
    });
  }
  if (rule.kind === 'value') {
    return s.replace(rule.pattern, (_match: string, keep: string, value: string) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : '';
      return keep + quote + marker(rule.family);
    });
  }
  if (rule.family === 'high-entropy') {
    const tagged = (run: string) => `[REDACTED:high-entropy${tagOf ? `:${tagOf(run)}` : ''}]`;
    return s.replace(rule.pattern, (run: string) => (looksRandom(run) ? tagged(run) : run));
  }
  return s.replace(rule.pattern, marker(rule.family));
}

// Served text is the user's own documentation: only families whose matches are almost never anything
// but a live credential are redacted there (a false positive would hide real content).
const SERVED: ReadonlySet<RedactFamily> = new Set<RedactFamily>(
  ['private-key', 'url-credentials', 'aws-access-key-id', 'github-token', 'gitlab-token', 'slack-token', 'npm-token']);
const SERVED_HINT = new RegExp(String.raw`-----BEGIN|---- BEGIN SSH2|PuTTY-User|:(?:\/\/|\\\/\\\/)[^\s/]{0,512}@|` +
  'AKIA|ASIA|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat|ffct|agent)-|xox|xapp-|npm_');

/** A document's text (or a piece, see document.ts) as served: high-confidence secrets redacted, line breaks kept. */
export function redactDocument(s: string, carry = { open: false }): string {
  if (!carry.open && !SERVED_HINT.test(s)) return s; // one pass over ordinary text instead of one per rule
  let out = redactPrivateKeys(s, true, carry);
  for (const rule of RULES) if (SERVED.has(rule.family)) out = applyRule(out, rule);
  return out;
}

const SERVED_MARKER = new RegExp(String.raw`\[REDACTED:(${[...SERVED].join('|')})\]`, 'g');

/** The served-text markers in `s` by family (a page that quotes a marker counts it too), or null. */
export function countRedactions(s: string): Record<string, number> | null {
  let counts: Record<string, number> | null = null;
  for (const m of s.matchAll(SERVED_MARKER)) (counts ??= {})[m[1] as string] = (counts[m[1] as string] ?? 0) + 1;
  return counts;
}

/** Replaces each secret found in `s` with "[REDACTED:<family>]". */
export function redactText(s: string): string {
  let out = redactPrivateKeys(s);
  for (const rule of RULES) out = applyRule(out, rule);
  return out;
}

function cutString(s: string): string {
  const scanned = Math.min(s.length, MAX_SCAN);
  const head = redactText(scanned === s.length ? s : s.slice(0, scanned));
  const limit = scanned === s.length ? MAX_STRING : Math.max(0, Math.min(MAX_STRING, head.length - SCAN_GUARD));
  let keep = escapedFit(head, limit);
  const dropped = head.length - keep + (s.length - scanned);
  if (dropped === 0) return head;
  // Do not split a surrogate pair: a lone half is not valid UTF-8 downstream.
  const last = head.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${head.slice(0, keep)}…[+${s.length - scanned + head.length - keep} chars]`;
}

/**
 * Deep copy of JSON-like data with every string (and object key) redacted and capped: depth 8,
 * 100 array items or object keys, 2,000 chars per string. Values under secret-named keys are replaced
 * whole, except null and booleans, which cannot carry one. Prototype-named keys are dropped.
 */
export function redactValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return cutString(v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v !== 'object') return `[${typeof v}]`;
  if (depth >= MAX_DEPTH) return '[depth limit]';
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ITEMS).map((x: unknown) => redactValue(x, depth + 1));
    if (v.length > MAX_ITEMS) items.push(`…[+${v.length - MAX_ITEMS} items]`);
    return items;
  }
  const source = v as Readonly<Record<string, unknown>>;
  const keys = Object.keys(source).filter((k) => !UNSAFE_KEYS.has(k));
  // A fresh ordinary object; prototype-named keys were filtered out above, so plain assignment is safe.
  const out: Record<string, unknown> = {};
  for (const key of keys.slice(0, MAX_ITEMS)) {
    const value = source[key];
    const name = cutString(key);
    const hidden = SECRET_KEY_NAME.test(key) && value !== null && typeof value !== 'boolean';
    out[name] = hidden ? marker('by-key') : redactValue(value, depth + 1);
  }
  if (keys.length > MAX_ITEMS) out['…'] = `[+${keys.length - MAX_ITEMS} keys]`;
  return out;
}
