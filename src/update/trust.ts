// `trust-key FILE --install DIR`: pins the release public key for an install folder, or changes it in one
// explicit, recorded step. A new key is taken when the pinned key endorses it (FILE.sig, the new key's
// PEM signed with the old private key: the normal rotation) or when the operator says --replace (the old
// key is lost or compromised and the new one came through another channel). See docs/updating.md.
import type { CommandStatus, UpdateContext } from './context.ts';
import { readRequired, writeAtomic } from './files.ts';
import { parsePublicKey, readPublicKey, readSignature, signatureValid } from './signature.ts';

export function trustKey(ctx: UpdateContext, req: { readonly file: string; readonly replace: boolean }): CommandStatus {
  const { layout, trail, out } = ctx;
  const offered = parsePublicKey(readRequired(req.file, 'the key file'), 'the key file');
  const pinned = readPublicKey(layout.trustedKey, 'the pinned release key (trusted-key.pem)');
  if (pinned?.fingerprint === offered.fingerprint) {
    out(`Nothing to do: ${offered.fingerprint} is already the pinned release key.`);
    return 0;
  }
  let how = 'first key';
  if (pinned !== null) {
    const endorsement = readSignature(req.file, null);
    const endorsed = endorsement !== null && signatureValid(offered.pem, endorsement.text, pinned);
    if (endorsed) how = 'endorsed by the pinned key';
    else if (req.replace) how = 'replaced by the operator (--replace)';
    else {
      const why = `${pinned.fingerprint} is pinned, and ` +
        `${endorsement === null ? 'there is no' : 'it did not sign the'} endorsement ${req.file}.sig`;
      trail.record('trust-key', 'check', 'refused', { reason: why, offered: offered.fingerprint });
      out(`Refused: ${why}. If the project published the new key through a channel you trust, rerun with --replace ` +
        `(recorded).`);
      return 1;
    }
  }
  writeAtomic(layout.trustedKey, offered.pem, 0o644);
  const previous = pinned?.fingerprint ?? null;
  trail.record('trust-key', 'pinned', 'ok', { fingerprint: offered.fingerprint, previous, how });
  out(`Pinned release key ${offered.fingerprint} ` +
    `(${how})${pinned !== null ? `; it replaces ${pinned.fingerprint}` : ''}.`);
  return 0;
}
