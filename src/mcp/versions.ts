// The handshake-era protocol versions docwarden speaks and what each lets it emit
// (docs/protocol.md, "Handshake era"): the negotiated version governs every message that follows.
import { isPlainObject, type Params } from '../jsonrpc/message.ts';

export const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: ProtocolVersion = '2025-11-25';

/** The stateless revision: no initialize; every request carries its version in `_meta`. */
export const STATELESS_VERSION = '2026-07-28';
/** Every version this server speaks, for server/discover and -32022 errors. */
export const ALL_VERSIONS: readonly string[] = [STATELESS_VERSION, ...SUPPORTED_VERSIONS];

/** The `params._meta` keys of the stateless era. */
export const META = {
  version: 'io.modelcontextprotocol/protocolVersion',
  capabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const;

/** Whether a request speaks the stateless era: its `_meta` names a protocol version. */
export function carriesStatelessMeta(params: Params | undefined): boolean {
  const meta = params?.['_meta'];
  return isPlainObject(meta) && meta[META.version] !== undefined;
}

export type Features = {
  readonly version: ProtocolVersion | typeof STATELESS_VERSION;
  /** 2025-03-26 only: JSON-RPC batches in, array replies out. */
  readonly batches: boolean;
  /** Tool annotations, the `completions` capability, progress `message`. */
  readonly annotations: boolean;
  /** `title` fields, `structuredContent` + `outputSchema`, `resource_link` blocks, serverInfo.title. */
  readonly structured: boolean;
  /** serverInfo.description; bad tool arguments as `isError` results instead of -32602. */
  readonly argumentErrorsAsResults: boolean;
};

export function negotiate(requested: string): ProtocolVersion {
  // Counter-offer the latest, never reject (docs/protocol.md, "Handshake era").
  return SUPPORTED_VERSIONS.find((v) => v === requested) ?? LATEST_VERSION;
}

export function featuresOf(version: ProtocolVersion): Features {
  const at = (v: ProtocolVersion) => version >= v; // ISO dates compare as strings
  return {
    version, batches: version === '2025-03-26', annotations: at('2025-03-26'), structured: at('2025-06-18'),
    argumentErrorsAsResults: at('2025-11-25'),
  };
}

/** The stateless era emits everything 2025-11-25 does (titles, structured results, isError arguments). */
export const STATELESS_FEATURES: Features = { ...featuresOf('2025-11-25'), version: STATELESS_VERSION };
