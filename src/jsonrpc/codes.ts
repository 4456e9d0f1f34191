// JSON-RPC 2.0 and MCP error codes: the one table (docs/style.md, "Errors: one table, one mapping"), and the
// error sent to the peer with the internal reason kept for the audit log only.
export const RPC = {
  PARSE_ERROR: -32700, INVALID_REQUEST: -32600, METHOD_NOT_FOUND: -32601, INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** MCP handshake era: resource not found. Not "not initialized" (docs/protocol.md, "JSON-RPC rules"). */
  RESOURCE_NOT_FOUND: -32002,
  /** docwarden: a limit (rate, deadline) stopped a non-tool request; `data` names it and when to retry. */
  LIMIT_REACHED: -32005,
  /** MCP 2026-07-28: the request needs a client capability its _meta did not declare. */
  MISSING_CLIENT_CAPABILITY: -32021,
  /** MCP 2026-07-28: the per-request protocol version is not one this server speaks. */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

export type RpcCode = (typeof RPC)[keyof typeof RPC];
export const invalidParams = (message: string, reason = 'invalid_params'): RpcError =>
  new RpcError(RPC.INVALID_PARAMS, message, reason);

export class RpcError extends Error {
  readonly code: RpcCode;
  readonly reason: string;
  readonly data: unknown;
  constructor(code: RpcCode, message: string, reason: string, data?: unknown) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.data = data;
  }
}
