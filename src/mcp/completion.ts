// completion/complete for the resource templates' `path` argument: suggests names one folder level at
// a time, through the same walker as listings, so it never suggests anything outside the roots.
import { narrowingAllowsPath, narrowingMayEnter, resolveIn, visibleRoots } from '../policy/client_roots.ts';
import { walk } from '../policy/walker.ts';
import { RPC } from '../jsonrpc/codes.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import type { ToolContext } from '../tools/context.ts';
import { RpcError } from './rpc_error.ts';

const MAX_VALUES = 100;

export async function complete(ctx: ToolContext, params: Readonly<Record<string, unknown>> | undefined): Promise<unknown> {
  const ref = params?.['ref'];
  const argument = params?.['argument'];
  if (!isPlainObject(ref) || !isPlainObject(argument)) {
    throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: completion/complete needs `ref` and `argument` objects', 'invalid_params');
  }
  if (ref['type'] !== 'ref/resource') throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: only resource templates can be completed (no prompts here)', 'invalid_params');
  const uri = ref['uri'];
  const name = argument['name'];
  const value = argument['value'];
  if (typeof uri !== 'string' || typeof name !== 'string' || typeof value !== 'string' || value.length > 1024) {
    throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: `ref.uri`, `argument.name` and `argument.value` must be strings (value at most 1024 chars)', 'invalid_params');
  }
  const empty = { completion: { values: [], total: 0, hasMore: false } };
  const match = /^docs:\/\/([A-Za-z0-9][A-Za-z0-9_-]{0,31})\/\{\+path\}$/.exec(uri);
  const root = match ? visibleRoots(ctx.roots, ctx.narrowing).find((r) => r.name === match[1]) : undefined;
  if (!root) throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: unknown resource template', 'unknown_template');
  if (name !== 'path') return empty;
  const cut = value.lastIndexOf('/');
  const folderRel = cut === -1 ? '' : value.slice(0, cut);
  const partial = (cut === -1 ? value : value.slice(cut + 1)).toLowerCase();
  let folder;
  try {
    folder = await resolveIn(ctx, root, folderRel);
  } catch {
    return empty; // an invalid or refused prefix completes to nothing, exactly like a missing one
  }
  if (folder.kind !== 'dir') return empty;
  const values: string[] = [];
  let total = 0;
  await walk(ctx.confinement, folder, {
    maxDepth: 1, maxVisited: ctx.limits.walkEntries, signal: ctx.signal,
    enterDir: (rel) => narrowingMayEnter(ctx.narrowing, root.name, rel),
    keep: (p) =>
      (p.kind === 'dir' ? narrowingMayEnter(ctx.narrowing, root.name, p.rel)
        : narrowingAllowsPath(ctx.narrowing, root.name, p)) &&
      (p.rel.split('/').pop() ?? '').toLowerCase().startsWith(partial),
  }, (e) => {
    total++;
    if (values.length < MAX_VALUES) values.push(e.path.kind === 'dir' ? `${e.path.rel}/` : e.path.rel);
    return true;
  });
  return { completion: { values, total, hasMore: total > values.length } };
}
