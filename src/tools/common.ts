// Shared pieces of the tool layer: the root/path arguments, root selection with client narrowing,
// opaque cursors, document URIs and the data delimiters used in text renderings.
import type { Root } from '../config/load.ts';
import { denied, failure, Failure } from '../errors/failure.ts';
import { narrowingAllows } from '../policy/client_roots.ts';
import { requireConsent } from '../policy/confirm.ts';
import { openConfined, resolvePath, type ConfinedPath } from '../policy/resolver.ts';
import { decodeBase64Url, encodeBase64Url } from '../text/base64url.ts';
import { integer, string } from '../validate/schema.ts';
import type { ToolContext } from './context.ts';

export const ROOT_ARG = string({
  description: 'Root name as configured (default: the first root)',
  minLength: 1,
  maxLength: 32,
  pattern: { source: '^[A-Za-z0-9][A-Za-z0-9_-]*$', hint: 'must be a root name (letters, digits, "-", "_")' },
});
export const PATH_ARG = string({ description: 'Root-relative path with "/" separators, e.g. "guide/install.md"', minLength: 1, maxLength: 1024 });
export const FOLDER_ARG = string({ description: 'Root-relative folder ("" or omitted: the root)', maxLength: 1024 });
export const CURSOR_ARG = string({ description: 'nextCursor from the previous page', minLength: 1, maxLength: 512 });

export function limitArg(max: number, fallback: number): ReturnType<typeof integer> {
  return integer({ description: `Most items to return (default ${fallback})`, minimum: 1, maximum: max });
}

export function visibleRoots(ctx: ToolContext): readonly Root[] {
  const n = ctx.narrowing;
  return n === null ? ctx.roots : ctx.roots.filter((r) => { const a = n.get(r.name); return a === null || (a !== undefined && a.length > 0); });
}

export function pickRoot(ctx: ToolContext, name: string | undefined): Root {
  const roots = visibleRoots(ctx);
  if (name === undefined) {
    const first = roots[0];
    if (!first) throw denied('narrowed_by_client', 'client roots exclude every configured root');
    return first;
  }
  const root = roots.find((r) => r.name === name);
  if (!root) throw failure('invalid_argument', `Unknown root ${JSON.stringify(name.slice(0, 32))}; available roots: ${roots.map((r) => r.name).join(', ') || '(none)'}`);
  return root;
}

export async function resolveIn(ctx: ToolContext, root: Root, path: string): Promise<ConfinedPath> {
  const p = await resolvePath(ctx.confinement, root, path);
  if (!narrowingAllows(ctx.narrowing, root.name, p.rel) && !(p.kind === 'dir' && p.rel === '')) {
    throw denied('narrowed_by_client', 'outside client roots');
  }
  return p;
}

// Cursors are opaque to the client but carry no secret: base64url JSON bound to the tool and query,
// checked field by field on the way back in.
export function encodeCursor(tool: string, state: Readonly<Record<string, string | number | null>>): string {
  return encodeBase64Url(JSON.stringify({ t: tool, ...state }));
}

export function decodeCursor(tool: string, cursor: string): Readonly<Record<string, unknown>> {
  const bad = () => failure('invalid_cursor', 'Invalid cursor: pass back the nextCursor value of the previous page unchanged');
  let value: unknown;
  try {
    value = JSON.parse(decodeBase64Url(cursor));
  } catch {
    throw bad();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad();
  const v = value as Record<string, unknown>;
  if (v['t'] !== tool) throw bad();
  return v;
}

export function cursorInt(v: Readonly<Record<string, unknown>>, key: string, max: number): number {
  const x = v[key];
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0 || x > max) {
    throw failure('invalid_cursor', 'Invalid cursor: pass back the nextCursor value of the previous page unchanged');
  }
  return x;
}

/** docs://<root>/<path> with each segment percent-encoded. */
export function docUri(root: string, rel: string): string {
  return `docs://${root}/` + rel.split('/').map(encodeURIComponent).join('/');
}

export function isoTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

export function checkSignal(ctx: ToolContext): void {
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    throw reason instanceof Failure ? reason : failure('cancelled', 'Cancelled');
  }
}

/** Asks the user first when the operator marked this document as needing consent; throws if refused. */
export async function consentToRead(ctx: ToolContext, tool: string, path: ConfinedPath): Promise<void> {
  const open = await openConfined(ctx.confinement, path); // size from the descriptor, no bytes read
  await open.handle.close().catch(() => undefined);
  await requireConsent(ctx.confirmPolicy, ctx.askConsent, { tool, root: path.root.name, path: path.rel, size: open.stat.size });
}

/** Shown instead of text from a document that needs the user's consent before it is read. */
export const NEEDS_CONSENT = '[this document needs the user\'s confirmation: open it with read_doc]';
