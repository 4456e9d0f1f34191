// Front matter (YAML `---` or TOML `+++`) reduced to flat string fields. Injection and exhaustion rules: a
// null-prototype result without prototype-named keys; bounded lines (read up to MAX_LINE characters), fields, values.

export type FrontMatter = { readonly fields: Record<string, string>; readonly endLine: number };
/** Lines by 0-based index: an array, or a loader's line table (which cuts each line only when asked for it). */
export type Lines = { readonly length: number; at(index: number): string | undefined };

const MAX_SCAN_LINES = 200;
const MAX_FIELDS = 50;
const MAX_VALUE = 500;
const MAX_LINE = 64 + 2 + 4 * MAX_VALUE; // a key, ": ", then room for MAX_VALUE characters, quoted and escaped
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Index of the line closing the front matter (--- or +++) that opens on line 1; -1 if there is none. */
export function frontMatterClose(lines: Lines): number {
  const open = lines.at(0)?.trimEnd();
  if (open !== '---' && open !== '+++') return -1;
  for (let i = 1; i < lines.length && i < MAX_SCAN_LINES; i++) {
    const l = (lines.at(i) as string).trimEnd();
    if (l === open || (open === '---' && l === '...')) return i;
  }
  return -1;
}

/** Fields of the front matter opening on line 1, and the 1-based line that closes it; null if none. */
export function parseFrontMatter(lines: Lines): FrontMatter | null {
  const close = frontMatterClose(lines);
  if (close < 0) return null;
  const open = (lines.at(0) as string).trimEnd();
  // A slice of a V8 string is not a copy.
  const body = Array.from({ length: close - 1 }, (_, k) => (lines.at(k + 1) as string).slice(0, MAX_LINE));
  const fields = Object.create(null) as Record<string, string>;
  let count = 0;
  const put = (key: string, value: string): boolean => {
    if (!KEY.test(key) || FORBIDDEN_KEYS.has(key) || Object.hasOwn(fields, key)) return true;
    fields[key] = Array.from(value.slice(0, 2 * MAX_VALUE)).slice(0, MAX_VALUE).join(''); // 2 units at most each
    return ++count < MAX_FIELDS;
  };
  if (open === '---') yamlFields(body, put);
  else tomlFields(body, put);
  return { fields, endLine: close + 1 };
}

type Put = (key: string, value: string) => boolean;

function isIndented(line: string): boolean {
  return line.startsWith(' ') || line.startsWith('\t');
}

// Only top-level `key: value` pairs. A key with an empty value followed by `- item` lines becomes
// "a, b"; a block scalar (`|` or `>`) becomes its text; a nested mapping is ignored.
function yamlFields(body: readonly string[], put: Put): void {
  for (let i = 0; i < body.length; i++) {
    const line = body[i] as string;
    if (line.trim() === '' || line.startsWith('#') || isIndented(line) || line.startsWith('-')) continue;
    const colon = line.indexOf(':');
    const after = line.slice(colon + 1);
    if (colon <= 0 || (after !== '' && !isIndented(after))) continue;
    const raw = after.trim();
    const block = raw === '' || /^[|>][+-]?[1-9]?$/.test(raw);
    if (!block) {
      if (!put(line.slice(0, colon), scalar(raw))) return;
      continue;
    }
    const nested: string[] = [];
    while (i + 1 < body.length) {
      const next = body[i + 1] as string;
      if (next.trim() !== '' && !isIndented(next) && !(raw === '' && next.startsWith('-'))) break;
      if (next.trim() !== '') nested.push(next.trim());
      i++;
    }
    let value: string | null;
    if (raw.startsWith('|')) value = nested.join('\n');
    else if (raw.startsWith('>')) value = nested.join(' ');
    else if (nested.length > 0 && nested.every((n) => n === '-' || n.startsWith('- '))) {
      value = nested.map((n) => scalar(n.slice(1).trim())).join(', ');
    } else value = nested.length === 0 ? '' : null;
    if (value !== null && !put(line.slice(0, colon), value)) return;
  }
}

// Only top-level `key = value` pairs: the first `[table]` header ends the top level.
function tomlFields(body: readonly string[], put: Put): void {
  for (const line of body) {
    const t = line.trim();
    if (t.startsWith('[')) return;
    const eq = t.indexOf('=');
    if (t === '' || t.startsWith('#') || eq <= 0) continue;
    if (!put(t.slice(0, eq).trim(), scalar(t.slice(eq + 1).trim()))) return;
  }
}

/** A quoted scalar's content (up to its closing quote), or a plain one without its ` # comment`. */
function scalar(raw: string): string {
  const q = raw[0];
  if (q !== '"' && q !== "'") {
    const hash = raw.search(/[ \t]#/);
    return (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
  }
  for (let k = 1; k < raw.length; k++) {
    if (q === '"' && raw[k] === '\\') k++;
    else if (raw[k] === q && q === "'" && raw[k + 1] === "'") k++;
    else if (raw[k] === q || k >= 4 * MAX_VALUE) { // not closed within what is kept: closed there
      const inner = raw.slice(1, k);
      return q === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner.replaceAll("''", "'");
    }
  }
  return raw;
}
