// Media types by file extension, for resources and read results. Keeps the read-only rule simple:
// the type comes from the name alone, never from sniffing content.
import { extensionOf } from '../policy/path_rules.ts';

/** Each media type with the extensions that name it. */
const TYPES: Readonly<Record<string, string>> = {
  'text/markdown': 'md markdown mdx', 'text/x-rst': 'rst', 'text/asciidoc': 'adoc asciidoc', 'text/plain': 'txt',
  'text/html': 'html htm', 'application/json': 'json', 'application/yaml': 'yaml yml', 'application/toml': 'toml',
  'text/csv': 'csv', 'image/svg+xml': 'svg', 'image/png': 'png', 'image/jpeg': 'jpg jpeg', 'image/gif': 'gif',
  'application/pdf': 'pdf', 'application/xml': 'xml',
};
const BY_EXTENSION: ReadonlyMap<string, string> = new Map(
  Object.entries(TYPES).flatMap(([type, names]) => names.split(' ').map((e) => [e, type] as const)),
);

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
