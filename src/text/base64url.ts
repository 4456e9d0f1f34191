// The one base64url codec (RFC 4648 section 5, no padding) for text the server hands out and takes back:
// list cursors and the signed consent state. Text goes through UTF-8 first, so any Unicode name survives
// (`btoa`/`atob` alone work on Latin-1 only, and threw on a name like 说明.md).

/** UTF-8 bytes of `text`, base64url-encoded without padding. */
export function encodeBase64Url(text: string): string {
  let latin1 = '';
  for (const byte of new TextEncoder().encode(text)) latin1 += String.fromCharCode(byte);
  return btoa(latin1).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The text `encodeBase64Url()` made; throws on a foreign character, a cut length or bytes that are not UTF-8. */
export function decodeBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) throw new Error('not base64url');
  const latin1 = atob(encoded.replace(/-/g, '+').replace(/_/g, '/')); // padding is optional for atob
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));
}
