// The tool surface: what a model sees of docwarden (tool names, descriptions, schemas, annotations).
// A change to it changes what the model may do or believe, so updates compare it and show the diff;
// release manifests record one hash per tool, computed here so both sides hash identically.
import { isPlainObject } from '../jsonrpc/message.ts';
import { sha256Hex, UpdateError } from './files.ts';

export type ToolDef = Readonly<Record<string, unknown>> & { readonly name: string };
export type ToolHash = { readonly name: string; readonly sha256: string };
export type Surface = { readonly tools: readonly ToolHash[]; readonly sha256: string };

/**
 * Everything a model reads from a server: the initialize result (instructions, server info, capabilities),
 * the tools, the resource templates, the prompts and the replies to refused reads. Each is a place where
 * a release could tell the model something new, so verify compares all of them with the live file.
 */
export type ModelSurface = {
  readonly initialize: Readonly<Record<string, unknown>>;
  readonly tools: readonly ToolDef[];
  readonly resourceTemplates: unknown;
  readonly prompts: unknown;
  readonly refusals: Readonly<Record<string, unknown>>;
};

const MAX_DIFF_LINES = 60;
const PREVIEW_CHARS = 80;

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Checks a tools/list `tools` array: objects with distinct string names. */
export function toolsFrom(list: unknown): ToolDef[] {
  if (!Array.isArray(list)) throw new UpdateError('Cannot read the tool list: `tools` is not an array');
  const seen = new Set<string>();
  return list.map((t, i) => {
    if (!isPlainObject(t) || typeof t['name'] !== 'string') throw new UpdateError(`Cannot read the tool list: tool ` +
      `${i} has no string name`);
    if (seen.has(t['name'])) throw new UpdateError(`Cannot read the tool list: ` +
      `${JSON.stringify(t['name'].slice(0, 60))} is listed twice`);
    seen.add(t['name']);
    return t as ToolDef;
  });
}

function withoutName(tool: ToolDef): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tool)) if (k !== 'name') rest[k] = v;
  return rest;
}

export function surfaceOf(tools: readonly ToolDef[]): Surface {
  const hashes = [...tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => ({ name: t.name, sha256: sha256Hex(canonicalJson(withoutName(t))) }));
  return { tools: hashes, sha256: sha256Hex(canonicalJson(hashes)) };
}

function preview(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

function diffValues(a: unknown, b: unknown, at: string, out: string[]): void {
  if (out.length > MAX_DIFF_LINES) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValues(a[k], b[k], at ? `${at}.${k}` : k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => diffValues(v, b[i], `${at}[${i}]`, out));
    return;
  }
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    out.push(`${at}: ${aroundChange(a, b)} -> ${aroundChange(b, a)}`);
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push(`${at}: ${preview(a)} -> ${preview(b)}`);
}

/** A long text shown around its first difference from `other`, so the change is visible. */
function aroundChange(text: string, other: string): string {
  if (text.length <= PREVIEW_CHARS) return JSON.stringify(text);
  let i = 0;
  while (i < text.length && i < other.length && text[i] === other[i]) i++;
  let start = Math.max(0, i - 20);
  let end = Math.min(text.length, start + PREVIEW_CHARS - 20);
  // Never half a surrogate pair at an edge: it would print as \udb40 and hide the character it belonged to.
  const splitsPair = (k: number): boolean =>
    /[\uDC00-\uDFFF]/.test(text[k] ?? '') && /[\uD800-\uDBFF]/.test(text[k - 1] ?? '');
  if (splitsPair(start)) start--;
  if (splitsPair(end)) end++;
  const piece = text.slice(start, end);
  return `${start > 0 ? '…' : ''}${JSON.stringify(piece)}${start + piece.length < text.length ? '…' : ''}`;
}

/** Human-readable differences between two tool lists; empty when the surfaces are identical. */
export function diffTools(before: readonly ToolDef[], after: readonly ToolDef[]): string[] {
  const old = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  const lines: string[] = [];
  for (const name of [...old.keys()].sort()) if (!now.has(name)) lines.push(`- tool ${name} removed`);
  for (const name of [...now.keys()].sort()) if (!old.has(name)) lines.push(`+ tool ${name} added`);
  for (const name of [...now.keys()].sort()) {
    const a = old.get(name);
    if (a === undefined) continue;
    const changes: string[] = [];
    diffValues(withoutName(a), withoutName(now.get(name) as ToolDef), '', changes);
    for (const c of changes) lines.push(`~ tool ${name}: ${c}`);
  }
  return capped(lines);
}

/** The parts besides the tools, as compared; the version number is left out (every release changes it). */
function beyondTools(s: ModelSurface): Record<string, unknown> {
  const info = s.initialize['serverInfo'];
  const serverInfo = isPlainObject(info) ? Object.fromEntries(Object.entries(info).filter(([k]) => k !== 'version'))
    : info;
  const { resourceTemplates, prompts, refusals } = s;
  return { initialize: { ...s.initialize, serverInfo }, resourceTemplates, prompts, refusals };
}

/** Human-readable differences in everything the model reads; empty when nothing changed. */
export function diffModel(before: ModelSurface, after: ModelSurface): string[] {
  const rest: string[] = [];
  diffValues(beyondTools(before), beyondTools(after), '', rest);
  const lines = [...diffTools(before.tools, after.tools), ...rest.map((c) => `~ ${c}`)];
  return capped(lines);
}

/** At most MAX_DIFF_LINES lines, the rest counted. */
function capped(lines: string[]): string[] {
  if (lines.length <= MAX_DIFF_LINES) return lines;
  return [...lines.slice(0, MAX_DIFF_LINES), `… ${lines.length - MAX_DIFF_LINES} more differences`];
}

/** Differences between a claimed surface (a manifest's hashes) and a measured one. */
export function diffHashes(claimed: readonly ToolHash[], measured: readonly ToolHash[]): string[] {
  const a = new Map(claimed.map((t) => [t.name, t.sha256]));
  const b = new Map(measured.map((t) => [t.name, t.sha256]));
  const lines: string[] = [];
  for (const [name, hash] of [...a].sort()) {
    if (!b.has(name)) lines.push(`- tool ${name} is in the manifest but not served`);
    else if (b.get(name) !== hash) lines.push(`~ tool ${name}: served schema or description differs from the manifest`);
  }
  for (const name of [...b.keys()].sort()) if (!a.has(name)) lines.push(`+ tool ${name} is served but not in the ` +
    `manifest`);
  return lines;
}
