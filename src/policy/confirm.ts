// Reads that need the user's explicit consent: the operator marks documents by glob or size, and a tool asks
// before it reads them. The answer comes from the client (MCP elicitation); anything but an explicit "yes"
// refuses the read, and nothing is read before the answer (docs/protocol.md, "Client roots and consent").
import { failure } from '../errors/failure.ts';
import { isPlainObject } from '../jsonrpc/message.ts';
import { closeOf, openConfined, type ConfinedPath, type Confinement, type OpenDocument } from './resolver.ts';
import { foldedGlob, pathFolds, sameFolder } from './path_rules.ts';

export type ConsentAnswer = 'accepted' | 'declined' | 'cancelled' | 'timeout' | 'unsupported';
/** `target`: where a link's bytes live (files.symlinks "within-root"), the gated name the user must see. */
export type ConsentRequest = Readonly<{ tool: string; root: string; path: string; size: number; target?: string }>;
export type AskConsent = (request: ConsentRequest) => Promise<ConsentAnswer>;

/** A document as the rules see it: the requested path and, through a link, where its bytes live. */
export type Named = { readonly rel: string; readonly target: string };
export type ConfirmPolicy = {
  /** `links` > 1 (files.hardLinks): the same file may have a gated name the rules cannot see, so it is gated. */
  readonly needs: (doc: Named, size: number, links: number) => boolean;
  /** True when any rule exists: search then says it skips such documents. */
  readonly active: boolean;
};

/** The first confirm.paths rule naming `rel` or a folder above it (`docwarden check` counts by rule). A folder
 * gates what is under it, as a files.deny folder hides it: `private`, `private/`, `./private/**` gate private/x. */
export function consentRule(paths: readonly string[]): (rel: string) => string | undefined {
  const bare = (p: string) => sameFolder(p).replace(/^(\.\/)+|\/+$/g, ''); // no leading "./", no trailing "/"
  const globs = paths.map((p) => ({ p, g: foldedGlob(bare(p)) }));
  return (rel) => { // asked per file by every search and the warm-up: no rules, no folding
    if (globs.length === 0) return undefined;
    const prefixes = pathFolds(rel).flat(); // folded whole and, where it differs, character by character
    return globs.find(({ g }) => prefixes.some((p) => g.matches(p)))?.p;
  };
}

export function createConfirmPolicy(paths: readonly string[], largerThan: number): ConfirmPolicy {
  const ruleFor = consentRule(paths);
  return {
    needs: (doc, size, links) => links > 1 || (largerThan > 0 && size > largerThan) || !!ruleFor(doc.rel) ||
      !!ruleFor(doc.target),
    active: largerThan > 0 || paths.length > 0,
  };
}

/** The elicitation form both eras send: names the document and its size, asks one yes/no, nothing else. */
export function consentForm(r: ConsentRequest): { message: string; requestedSchema: unknown } {
  // Names quoted as JSON strings, non-ASCII punctuation and symbols escaped: no quote of a name's own, lookalike
  // or not, can seem to end it and go on as our text (outside attacks).
  const quote = (s: string) => JSON.stringify(s).replace(/(?![\x00-\x7f])[\p{P}\p{S}\p{Lm}]/gu, (c) =>
    `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
  const { root, size } = r, shown = quote(`${root}:${r.target ?? r.path}`); // a link's name is the model's choice
  const via = r.target === undefined ? '' : ` through the link ${quote(`${root}:${r.path}`)}`;
  const allow = { type: 'boolean', title: 'Allow this read', description: `Read ${shown}${via} (${size} bytes)` };
  return {
    message: `Allow the assistant to read the document ${shown}${via} (${size} bytes)? ` +
      'The operator marked it as needing your confirmation.',
    requestedSchema: { type: 'object', properties: { allow }, required: ['allow'] },
  };
}

/** The user's answer in an elicitation result: only "accept" with `allow: true` is a yes. */
export function consentAnswer(result: unknown): ConsentAnswer {
  const action = isPlainObject(result) ? result['action'] : undefined;
  const content = isPlainObject(result) ? result['content'] : undefined;
  if (action === 'accept' && isPlainObject(content) && content['allow'] === true) return 'accepted';
  return action === 'cancel' || action === undefined ? 'cancelled' : 'declined';
}

const REFUSALS: Readonly<Record<Exclude<ConsentAnswer, 'accepted'>, string>> = {
  declined: 'the user declined',
  cancelled: 'the user cancelled the confirmation',
  timeout: 'the user did not answer in time',
  unsupported: 'it needs the user\'s confirmation and this client does not support elicitation',
};

type ConsentContext = Readonly<{ confinement: Confinement; confirmPolicy: ConfirmPolicy; askConsent: AskConsent }>;

/** Opens the document and, when the operator marked it, asks the user before any byte is read; anything but a yes
 * refuses. Consent is decided on the very descriptor returned, which the caller reads and closes: a second open
 * could find another file swapped in between (docs/security.md, "Consent as information flow"). */
export async function openWithConsent(c: ConsentContext, tool: string, path: ConfinedPath): Promise<OpenDocument> {
  const open = await openConfined(c.confinement, path);
  if (!c.confirmPolicy.needs(path, open.stat.size, open.stat.nlink)) return open;
  const target = path.target === path.rel ? {} : { target: path.target };
  const request = { tool, root: path.root.name, path: path.rel, size: open.stat.size, ...target };
  const answer = await c.askConsent(request).catch((err) => closeOf(open).then(() => Promise.reject(err)));
  if (answer === 'accepted') return open;
  await closeOf(open);
  throw failure('consent_refused', `Cannot read "${request.root}:${path.rel}": ${REFUSALS[answer]}; nothing was read`);
}
