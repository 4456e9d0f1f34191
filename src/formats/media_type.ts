// Media types by file extension, for resources and read results. Keeps the read-only rule simple:
// the type comes from the name alone, never from sniffing content.
import { extensionOf } from '../policy/path_rules.ts';

const BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ['md', 'text/markdown'], ['markdown', 'text/markdown'], ['mdx', 'text/markdown'],
  ['rst', 'text/x-rst'],
  ['adoc', 'text/asciidoc'], ['asciidoc', 'text/asciidoc'],
  ['txt', 'text/plain'],
  ['html', 'text/html'], ['htm', 'text/html'],
  ['json', 'application/json'],
  ['yaml', 'application/yaml'], ['yml', 'application/yaml'],
  ['toml', 'application/toml'],
  ['csv', 'text/csv'],
  ['svg', 'image/svg+xml'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'], ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['pdf', 'application/pdf'],
  ['xml', 'application/xml'],
]);

const TEXT_APPLICATION_TYPES: ReadonlySet<string> = new Set([
  'application/json', 'application/yaml', 'application/toml', 'application/xml', 'image/svg+xml',
]);

export function mediaTypeOf(path: string): string {
  return BY_EXTENSION.get(extensionOf(path)) ?? 'application/octet-stream';
}

/** Whether content of this type is text a client can show; parameters such as charset are ignored. */
export function isTextMediaType(mt: string): boolean {
  const essence = (mt.split(';')[0] ?? '').trim().toLowerCase();
  return essence.startsWith('text/') && essence.length > 5 || TEXT_APPLICATION_TYPES.has(essence);
}
