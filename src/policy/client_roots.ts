// Client-declared roots (MCP roots/list) may only NARROW the operator's roots, never widen them:
// a client answering `file:///` gains nothing, one answering a subfolder limits access to it.
import { denied } from '../errors/failure.ts';
import type { Host } from '../runtime/host.ts';
import { isContained, resolvePath, type ConfinedPath, type Confinement, type Root } from './resolver.ts';
import type { Named } from './confirm.ts';

/** Per configured root: null = whole root allowed, otherwise the allowed root-relative subtrees. */
export type Narrowing = ReadonlyMap<string, readonly string[] | null>;

/** Parses a file:// URI into a host path; anything else is ignored. */
export function fileUriToPath(uri: string): string | null {
  if (!uri.startsWith('file://')) return null;
  let rest = uri.slice('file://'.length);
  if (rest.startsWith('localhost/')) rest = rest.slice('localhost'.length);
  if (!rest.startsWith('/')) return null;
  try {
    const decoded = decodeURIComponent(rest);
    return decoded.includes('\u0000') ? null : decoded;
  } catch {
    return null;
  }
}

export async function computeNarrowing(
  host: Host, roots: readonly Root[], uris: readonly string[],
): Promise<Narrowing> {
  const reals: string[] = [];
  for (const uri of uris.slice(0, 256)) {
    const p = fileUriToPath(uri);
    if (p === null) continue;
    try {
      reals.push(await host.realpath(p));
    } catch {
      // Under a sandbox that may read only the roots, a folder above them cannot be realpathed:
      // compare it lexically. That can only ever grant a configured root, never more.
      reals.push(host.path.resolve(p));
    }
  }
  const out = new Map<string, readonly string[] | null>();
  for (const root of roots) {
    const whole = reals.some((r) => isContained(host.path, r, root.path)); // a client root contains this whole root
    out.set(root.name, whole ? null : reals.filter((r) => isContained(host.path, root.path, r))
      .map((r) => host.path.relative(root.path, r).split(host.path.sep).join('/')));
  }
  return out;
}

function under(rel: string, prefix: string): boolean {
  return rel === prefix || rel.startsWith(prefix + '/');
}

/** The subtrees of a root the client left: null for the whole root, [] for none. */
function allowedIn(n: Narrowing | null, rootName: string): readonly string[] | null {
  const allowed = n === null ? null : n.get(rootName);
  return allowed === undefined ? [] : allowed;
}

/** May this root-relative path be served? */
export function narrowingAllows(n: Narrowing | null, rootName: string, rel: string): boolean {
  const allowed = allowedIn(n, rootName);
  return allowed === null || allowed.some((p) => under(rel, p));
}

/** Both the requested path and, through a link, the place its bytes live must be allowed. */
export function narrowingAllowsPath(n: Narrowing | null, rootName: string, p: Named): boolean {
  return narrowingAllows(n, rootName, p.rel) && narrowingAllows(n, rootName, p.target);
}

/** May a walk descend into this folder (it holds or lies under an allowed subtree)? */
export function narrowingMayEnter(n: Narrowing | null, rootName: string, relDir: string): boolean {
  const allowed = allowedIn(n, rootName);
  return allowed === null || allowed.some((p) => under(relDir, p) || under(p, relDir) || relDir === '');
}

/** The configured roots the client left visible: all of them when it declared none. */
export function visibleRoots(roots: readonly Root[], n: Narrowing | null): readonly Root[] {
  return n === null ? roots : roots.filter((r) => allowedIn(n, r.name)?.length !== 0);
}

/** Resolves a client's path in a root, then applies the client's narrowing (the root folder itself passes). */
export async function resolveIn(
  c: { readonly confinement: Confinement; readonly narrowing: Narrowing | null }, root: Root, path: string,
): Promise<ConfinedPath> {
  const p = await resolvePath(c.confinement, root, path);
  if (!narrowingAllowsPath(c.narrowing, root.name, p) && !(p.kind === 'dir' && p.rel === '')) {
    throw denied('narrowed_by_client', 'outside client roots');
  }
  return p;
}
