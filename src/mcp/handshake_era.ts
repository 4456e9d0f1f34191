// The handshake era (2024-11-05 ... 2025-11-25): chosen by `initialize`; session-wide capabilities,
// ping, logging/setLevel, client roots and elicitation through server-to-client requests.
import { RPC } from '../jsonrpc/codes.ts';
import { carriesStatelessMeta } from './versions.ts';
import type { Era } from './era.ts';
import { handleInitialize, type Handshake } from './lifecycle.ts';
import type { Notifier } from './notifier.ts';
import { RpcError } from './rpc_error.ts';
import type { Services } from './services.ts';

/** Answers `initialize` and returns the era it starts, or throws an RpcError for bad params. */
export function startHandshake(
  params: Readonly<Record<string, unknown>> | undefined, services: Services, notifier: Notifier, hasMethod: (m: string) => boolean,
): { readonly era: Era; readonly handshake: Handshake } {
  const handshake = handleInitialize(params, services.config.roots);
  const features = handshake.features;
  services.setClient(handshake.clientCapabilities);
  let ready = false;
  const era: Era = {
    name: 'handshake',
    version: features.version,
    batches: features.batches,
    admit(method, p) {
      if (method === 'ping') return { kind: 'answer', result: {} };
      if (method === 'initialize') {
        return { kind: 'refuse', error: new RpcError(RPC.INVALID_REQUEST, 'Invalid request: already initialized', 'second_initialize') };
      }
      if (method === 'server/discover') {
        return { kind: 'refuse', error: new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: server/discover (this process speaks the initialize handshake, ${features.version})`, 'unknown_method') };
      }
      if (carriesStatelessMeta(p)) {
        return { kind: 'refuse', error: new RpcError(RPC.INVALID_REQUEST, `Invalid request: this process speaks the initialize handshake (${features.version}); start a new process for the 2026-07-28 stateless protocol`, 'era_switch') };
      }
      if (!hasMethod(method) && method !== 'logging/setLevel') {
        return { kind: 'refuse', error: new RpcError(RPC.METHOD_NOT_FOUND, `Method not found: ${JSON.stringify(method.slice(0, 60))}`, 'unknown_method') };
      }
      return {
        kind: 'run',
        context: {
          features,
          log: (level, logger, data) => notifier.log(level, logger, data),
          askConsent: (r) => services.askConsent(r, features),
          ready: () => services.rootsSettled(),
        },
      };
    },
    notification(method) {
      if (method === 'notifications/initialized' && !ready) {
        ready = true;
        notifier.enable();
        services.clientReady();
      } else if (method === 'notifications/roots/list_changed') services.rootsChanged();
    },
    finish: (_method, result) => result,
  };
  return { era, handshake };
}
