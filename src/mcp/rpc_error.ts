// A JSON-RPC error to send to the peer, with the internal reason kept for the audit log only.
import type { RpcCode } from '../jsonrpc/codes.ts';

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
