// The contract between the message loop (server.ts) and a protocol era. The loop owns framing,
// queueing, deadlines, cancellation and auditing; an era decides what a request means, how a result
// looks, and how the server may talk back (log messages, consent prompts) in that era.
import type { AskConsent } from '../policy/confirm.ts';
import type { LogLevel } from './notifier.ts';
import { RPC, RpcError, type RpcCode } from '../jsonrpc/codes.ts';
import type { Features } from './versions.ts';

/** What an era makes of one request before it runs. */
export type Admission =
  | { readonly kind: 'answer'; readonly result: unknown }
  | { readonly kind: 'refuse'; readonly error: RpcError }
  | { readonly kind: 'run'; readonly context: EraRequestContext };

export const refuse = (code: RpcCode, message: string, reason: string, data?: unknown): Admission =>
  ({ kind: 'refuse', error: new RpcError(code, message, reason, data) });
/** Both eras' answer to a method that does not exist. */
export const unknownMethod = (method: string): Admission =>
  refuse(RPC.METHOD_NOT_FOUND, `Method not found: ${JSON.stringify(method.slice(0, 60))}`, 'unknown_method');

/** Per-request facts the era hands to the method table. */
export type EraRequestContext = {
  readonly features: Features;
  readonly log: (level: LogLevel, logger: string, data: unknown) => void;
  readonly askConsent: AskConsent;
  /** Stateless era: requests wait for nothing; handshake era: client roots must be known first. */
  readonly ready: () => Promise<void>;
};

export type Era = {
  readonly name: 'handshake' | 'stateless';
  readonly version: string;
  readonly admit: (method: string, params: Readonly<Record<string, unknown>> | undefined) => Admission;
  readonly notification: (method: string, params: Readonly<Record<string, unknown>> | undefined) => void;
  /** Shapes a successful result the way the era defines results. */
  readonly finish: (method: string, result: unknown) => unknown;
  readonly batches: boolean;
};

/** A tool needs input from the user before it can go on (stateless era: an input-required result). */
export class InputRequired extends Error {
  readonly result: Readonly<Record<string, unknown>>;
  constructor(result: Readonly<Record<string, unknown>>) {
    super('input required');
    this.result = result;
  }
}
