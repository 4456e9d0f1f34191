// Shared pieces of the tool layer: the root, path, cursor and limit arguments, root selection under the
// client's narrowing, timestamps and cancellation checks.
import type { Root } from '../policy/resolver.ts';
import { denied, failure, Failure } from '../errors/failure.ts';
import { visibleRoots } from '../policy/client_roots.ts';
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

