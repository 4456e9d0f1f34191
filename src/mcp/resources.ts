// Documents as MCP resources: docs://<root>/<path>. Listing is paginated; reading re-runs the full
// confinement; a missing and a denied document give the same -32002 error (docs/protocol.md, "Resources and
// completion"). Completion of the templates' `path` suggests names one folder level at a time, through
// the same walker as listings, so it never suggests anything outside the roots.
import { Failure, failure } from '../errors/failure.ts';
import { isTextMediaType, mediaTypeOf } from '../formats/media_type.ts';
import { invalidParams, RPC, RpcError } from '../jsonrpc/codes.ts';
import { isPlainObject, type Params } from '../jsonrpc/message.ts';
import { resolveIn, visibleRoots } from '../policy/client_roots.ts';
import { closeOf, readRange, type ConfinedPath, type Root } from '../policy/resolver.ts';
import { jsonBytes, utf8Length } from '../text/utf8.ts';
import { walk } from '../policy/walker.ts';
import { openWithConsent } from '../policy/confirm.ts';
import { cursorInt, decodeCursor, encodeCursor } from '../validate/cursor.ts';
import { docUri, parseDocUri } from '../formats/doc_uri.ts';
import { narrowedWalk, pageFrom, type ToolContext } from '../tools/context.ts';
import { resourceError } from './outcome.ts';

const PAGE = 200;
const MAX_VALUES = 100;
const NOT_FOUND = 'Resource not found or not allowed';

export async function listResources(ctx: ToolContext, cursor: unknown): Promise<unknown> {
  const roots = visibleRoots(ctx.roots, ctx.narrowing);
  let rootIndex = 0;
  let skip = 0;
  if (cursor !== undefined) {
    const bad = 'Invalid cursor: `cursor` must be a string of at most 512 characters (pass back nextCursor unchanged)';
    if (typeof cursor !== 'string' || cursor.length > 512) throw invalidParams(bad, 'invalid_cursor');
    try {
      const c = decodeCursor('resources/list', cursor);
      rootIndex = cursorInt(c, 'r', roots.length - 1);
      skip = cursorInt(c, 'o', 100_000_000);
    } catch {
      throw new RpcError(RPC.INVALID_PARAMS, 'Invalid cursor: pass back nextCursor unchanged', 'invalid_cursor');
    }
  }
  const resources: Record<string, unknown>[] = [];
  let next: string | undefined;
  for (; rootIndex < roots.length && next === undefined; rootIndex++, skip = 0) {
    const root = roots[rootIndex] as Root;
    const { page, take } = pageFrom<Record<string, unknown>>(skip, PAGE - resources.length);
    const shown = narrowedWalk(ctx, root, ctx.limits.depth);
    const files = { ...shown, keep: (p: ConfinedPath) => p.kind === 'file' && shown.keep(p) };
    await walk(ctx.confinement, await resolveIn(ctx, root, ''), files,
      ({ path: { rel }, size }) => take({ uri: docUri(root.name, rel), name: rel, mimeType: mediaTypeOf(rel), size }));
    resources.push(...page.items);
    if (page.more) next = encodeCursor('resources/list', { r: rootIndex, o: skip + page.items.length });
  }
  return next === undefined ? { resources } : { resources, nextCursor: next };
}

export function listTemplates(roots: readonly Root[], withTitle: boolean): unknown {
  return {
    resourceTemplates: roots.map((r) => ({
      uriTemplate: `docs://${r.name}/{+path}`,
      name: `${r.name} documents`,
      ...(withTitle ? { title: `Documents in ${r.name}` } : {}),
      description: `A document of the "${r.name}" root by its root-relative path`,
    })),
  };
}

export async function readResource(
  ctx: ToolContext, uri: unknown, binary: 'refuse' | 'blob', responseBytes: number,
): Promise<Record<string, unknown>> {
  if (typeof uri !== 'string') throw invalidParams('Invalid params: `uri` must be a string');
  const parsed = parseDocUri(uri);
  const shownUri = { uri: uri.slice(0, 200) };
  const notFound = (reason: string) => new RpcError(RPC.RESOURCE_NOT_FOUND, NOT_FOUND, reason, shownUri);
  if (parsed === null) throw notFound('bad_uri');
  const root = visibleRoots(ctx.roots, ctx.narrowing).find((r) => r.name === parsed.root);
  if (!root) throw notFound('unknown_root');
  try {
    const path = await resolveIn(ctx, root, parsed.path);
    if (path.kind !== 'file') throw notFound('is_a_directory');
    ctx.touched.push(`${root.name}:${path.rel}`);
    const mimeType = mediaTypeOf(path.rel);
    const open = await openWithConsent(ctx, 'resources/read', path); // consent and read on one descriptor
    try {
      const size = open.stat.size;
      const budget = responseBytes - 2048; // the envelope, the URI and the continuation note
      // A text type (by extension) is the cache's served text (secrets redacted there) or nothing, never raw
      // bytes; another type is text when it decodes, else bytes: at most one reply's worth, never redacted.
      const textType = isTextMediaType(mimeType);
      if (!textType && size > Math.floor(budget * 0.74)) {
        throw failure('too_large', `Cannot read resource: it is ${size} bytes, over the reply limit once ` +
          `base64-encoded (limits.responseBytes = ${responseBytes})`);
      }
      const doc = await ctx.docs.text(open, ctx.signal).catch((err) => { // the text alone: no lines, no headings
        if (!textType && err instanceof Failure && err.reason === 'binary') return null;
        throw err instanceof Failure && err.reason === 'binary' ? failure('binary', `Cannot read resource: not ` +
          `valid UTF-8 text, and a ${mimeType} document is served as text or not at all (files.binary is for ` +
          'binary types)') : err;
      });
      if (doc !== null) {
        ctx.servedFrom(doc); // for the read receipt: the text every part is cut from
        // Longer than the budget in UTF-16 units cannot fit: it is not escaped whole to learn that.
        if (doc.length <= budget && jsonBytes(doc) <= budget) return { contents: [{ uri, mimeType, text: doc }] };
        const head = textHead(doc, budget);
        const next = head.split('\n').length; // a cut long line is read again from its start
        const label = `${root.name}:${path.rel}`;
        const note = `[docwarden: first part only: ${utf8Length(head)} of the ${size} bytes of ${label}, ` +
          `cut at the reply limit (limits.responseBytes = ${responseBytes}). Read on with the read_doc tool: ` +
          `${JSON.stringify({ root: root.name, path: path.rel, startLine: next })}, then pass its nextCursor back]`;
        const top = '[docwarden: first part only; how to read on is at the end]';
        const text = `${top}\n${head}${head.endsWith('\n') ? '' : '\n'}${note}\n`;
        const _meta = { 'docwarden/part': { first: true, size, nextLine: next } };
        return { contents: [{ uri, mimeType, text, _meta }] };
      }
      if (binary === 'refuse') {
        throw failure('binary', 'Cannot read resource: binary documents are not served (files.binary is "refuse")');
      }
      const bytes = await readRange(open, 0, size);
      if (!(await ctx.docs.servesRaw(bytes, ctx.docs.ticker(ctx.signal)))) {
        throw failure('binary', 'Cannot read resource: its bytes hold what looks like a secret, and a binary ' +
          'document cannot be redacted (files.redactSecrets)');
      }
      ctx.servedFrom(bytes);
      let b64 = '';
      for (let i = 0; i < bytes.length; i += 0x8000) b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { contents: [{ uri, mimeType, blob: btoa(b64) }] };
    } finally {
      await closeOf(open);
    }
  } catch (err) {
    throw err instanceof Failure ? resourceError(err, notFound) : err;
  }
}

/** The longest head of `text` that ends a line (or, for one long line, a character) and fits `budget`
 * once JSON-escaped. */
function textHead(text: string, budget: number): string {
  let end = Math.min(text.length, budget);
  for (;;) {
    let cut = text.lastIndexOf('\n', end - 1) + 1;
    if (cut === 0) cut = end - (/[\ud800-\udbff]/.test(text.charAt(end - 1)) ? 1 : 0); // never half a pair
    const cost = jsonBytes(text.slice(0, cut));
    if (cost <= budget) return text.slice(0, cut);
    end = Math.floor((cut * budget) / cost);
  }
}

/** completion/complete for the resource templates' `path` argument. */
export async function complete(ctx: ToolContext, params: Params | undefined): Promise<unknown> {
  const { ref, argument } = params ?? {};
  if (!isPlainObject(ref) || !isPlainObject(argument)) {
    throw invalidParams('Invalid params: completion/complete needs `ref` and `argument` objects');
  }
  if (ref['type'] !== 'ref/resource') {
    throw invalidParams('Invalid params: only resource templates can be completed (no prompts here)');
  }
  const uri = ref['uri'];
  const { name, value } = argument;
  if (typeof uri !== 'string' || typeof name !== 'string' || typeof value !== 'string' || value.length > 1024) {
    throw invalidParams('Invalid params: `ref.uri`, `argument.name` and `argument.value` must be strings ' +
      '(value at most 1024 chars)');
  }
  const empty = { completion: { values: [], total: 0, hasMore: false } };
  const match = /^docs:\/\/([A-Za-z0-9][A-Za-z0-9_-]{0,31})\/\{\+path\}$/.exec(uri);
  const root = match ? visibleRoots(ctx.roots, ctx.narrowing).find((r) => r.name === match[1]) : undefined;
  if (!root) throw new RpcError(RPC.INVALID_PARAMS, 'Invalid params: unknown resource template', 'unknown_template');
  if (name !== 'path') return empty;
  const cut = value.lastIndexOf('/');
  const folderRel = cut === -1 ? '' : value.slice(0, cut);
  const partial = (cut === -1 ? value : value.slice(cut + 1)).toLowerCase();
  // An invalid or refused prefix completes to nothing, exactly like a missing one.
  const folder = await resolveIn(ctx, root, folderRel).catch(() => null);
  if (folder?.kind !== 'dir') return empty;
  const values: string[] = [];
  let total = 0;
  const shown = narrowedWalk(ctx, root, 1);
  const named = (p: ConfinedPath) => (p.rel.split('/').pop() ?? '').toLowerCase().startsWith(partial);
  await walk(ctx.confinement, folder, { ...shown, keep: (p) => shown.keep(p) && named(p) }, (e) => {
    total++;
    if (values.length < MAX_VALUES) values.push(e.path.kind === 'dir' ? `${e.path.rel}/` : e.path.rel);
    return true;
  });
  return { completion: { values, total, hasMore: total > values.length } };
}
