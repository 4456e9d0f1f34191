// Reads that need the user's explicit consent: the operator marks documents by glob or size, and a tool asks
// before it reads them. The answer comes from the client (MCP elicitation); anything but an explicit "yes"
// refuses the read, and nothing is read before the answer (docs/protocol.md, "Client roots and consent").
import { failure } from '../errors/failure.ts';
import { compileGlob } from './glob.ts';

export type ConsentAnswer = 'accepted' | 'declined' | 'cancelled' | 'timeout' | 'unsupported';
export type ConsentRequest = { readonly tool: string; readonly root: string; readonly path: string; readonly size: number };
export type AskConsent = (request: ConsentRequest) => Promise<ConsentAnswer>;

export type ConfirmPolicy = { readonly needs: (rel: string, size: number) => boolean };

export function createConfirmPolicy(paths: readonly string[], largerThan: number): ConfirmPolicy {
  const globs = paths.map((p) => compileGlob(p, { caseInsensitive: true }));
  return {
    needs: (rel, size) => (largerThan > 0 && size > largerThan) || globs.some((g) => g.matches(rel)),
  };
}

/** The question shown to the user: names the document and its size, nothing else. */
export function consentMessage(r: ConsentRequest): string {
  return `Allow the assistant to read the document "${r.root}:${r.path}" (${r.size} bytes)? The operator marked it as needing your confirmation.`;
}

const REFUSALS: Readonly<Record<Exclude<ConsentAnswer, 'accepted'>, string>> = {
  declined: 'the user declined',
  cancelled: 'the user cancelled the confirmation',
  timeout: 'the user did not answer in time',
  unsupported: 'it needs the user\'s confirmation and this client does not support elicitation',
};

/** Asks when the policy says so; throws a refusal (nothing read) unless the user accepted. */
export async function requireConsent(policy: ConfirmPolicy, ask: AskConsent, request: ConsentRequest): Promise<void> {
  if (!policy.needs(request.path, request.size)) return;
  const answer = await ask(request);
  if (answer === 'accepted') return;
  throw failure('consent_refused', `Cannot read "${request.root}:${request.path}": ${REFUSALS[answer]}; nothing was read`);
}
