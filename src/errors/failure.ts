// Internal failure reasons (a closed set) and the one mapping to what the client may see.
// Path-policy reasons all collapse to one generic message so that "denied" and "missing" are
// indistinguishable; the precise reason goes to the audit log only (docs/security.md, "Path resolution", step 9).

// Confinement and policy: the client always sees "not found or not allowed".
const HIDDEN_REASONS = [
  'not_found', 'outside_root', 'denied_pattern', 'symlink', 'hard_link', 'not_regular',
  'bad_extension', 'other_device', 'swapped', 'writable_folder', 'unknown_root', 'narrowed_by_client',
] as const;

export type FailureReason =
  | (typeof HIDDEN_REASONS)[number]
  // Actionable for the client: the message names the problem and the limit.
  | 'invalid_path' | 'invalid_argument' | 'invalid_cursor' | 'too_large' | 'binary' | 'not_a_directory'
  | 'is_a_directory' | 'heading_not_found' | 'rate_limited' | 'deadline' | 'cancelled' | 'limit_reached'
  | 'consent_refused' | 'internal';

export const NOT_FOUND_MESSAGE = 'not found or not allowed';

export class Failure extends Error {
  readonly reason: FailureReason;
  /** Safe for the client: never a host path, never which rule denied. */
  readonly publicMessage: string;
  constructor(reason: FailureReason, publicMessage: string, detail?: string) {
    super(detail ?? publicMessage);
    this.reason = reason;
    this.publicMessage = publicMessage;
  }
}

export function isHiddenReason(reason: FailureReason): boolean {
  return (HIDDEN_REASONS as readonly string[]).includes(reason);
}

/** A policy denial: generic to the client whatever the reason. */
export function denied(reason: FailureReason, detail?: string): Failure {
  return new Failure(reason, NOT_FOUND_MESSAGE, detail);
}

export function failure(reason: FailureReason, message: string): Failure {
  return new Failure(reason, message);
}
