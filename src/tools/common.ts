// Shared pieces of the tool layer: the root, path, cursor and limit arguments, root selection under the
// client's narrowing, paging by offset, timestamps and cancellation checks.
import type { Root } from '../policy/resolver.ts';
import { denied, failure, Failure } from '../errors/failure.ts';
import { visibleRoots } from '../policy/client_roots.ts';
import { cursorInt, decodeCursor } from '../validate/cursor.ts';
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

export function pickRoot(ctx: ToolContext, name: string | undefined): Root {
  const roots = visibleRoots(ctx.roots, ctx.narrowing);
  if (name === undefined) {
    const first = roots[0];
    if (!first) throw denied('narrowed_by_client', 'client roots exclude every configured root');
    return first;
  }
  const root = roots.find((r) => r.name === name);
  if (!root) throw failure('invalid_argument', `Unknown root ${JSON.stringify(name.slice(0, 32))}; available roots: ${roots.map((r) => r.name).join(', ') || '(none)'}`);
  return root;
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

/** Where a paged call resumes: 0 without a cursor; a cursor must come from the same `query`. */
export function cursorOffset(tool: string, cursor: string | undefined, query: string, what: string, max = 10_000_000): number {
  if (cursor === undefined) return 0;
  const c = decodeCursor(tool, cursor);
  if (c['q'] !== query) throw failure('invalid_cursor', `Invalid cursor: it belongs to a different ${what}`);
  return cursorInt(c, 'o', max);
}

/** One page of a walk in walk order: skips `skip` items, keeps `limit`; `take` is false once the page is full. */
export function pageFrom<T>(skip: number, limit: number) {
  const page = { items: [] as T[], more: false, seen: 0 };
  const take = (item: T): boolean => {
    if (page.seen++ < skip) return true;
    if (page.items.length >= limit) {
      page.more = true;
      return false;
    }
    page.items.push(item);
    return true;
  };
  return { page, take };
}
