// The docs:// URI of a document: docs://<root>/<path>, each path segment percent-encoded. Tools name
// documents with it (resource links) and resources/read takes it back; parsing decodes each segment
// once and refuses an encoded "/", then the path rules judge the result like any client path.

/** docs://<root>/<path> with each segment percent-encoded. */
export function docUri(root: string, rel: string): string {
  return `docs://${root}/` + rel.split('/').map(encodeURIComponent).join('/');
}

/** Parses docs://root/seg/seg: each segment percent-decoded once, then checked by the path rules. */
export function parseDocUri(uri: string): { readonly root: string; readonly path: string } | null {
  if (uri.length > 4096 || !uri.startsWith('docs://')) return null;
  const rest = uri.slice('docs://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const root = rest.slice(0, slash);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(root)) return null;
  if (/[?#]/.test(rest)) return null;
  let segments: string[];
  try {
    segments = rest.slice(slash + 1).split('/').map((raw) => decodeURIComponent(raw));
  } catch {
    return null; // a malformed %-escape
  }
  if (segments.some((seg) => seg.includes('/'))) return null; // an encoded "/" would smuggle a separator
  return { root, path: segments.join('/') };
}
