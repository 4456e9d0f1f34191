// The closed set of failure reasons (src/errors/failure.ts): every policy reason collapses to one message,
// so a client cannot tell "denied" from "missing"; the precise reason and detail stay for the audit log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denied, Failure, failure, isHiddenReason, NOT_FOUND_MESSAGE } from '../../src/errors/failure.ts';

const POLICY = [
  'not_found',
  'outside_root',
  'denied_pattern',
  'symlink',
  'hard_link',
  'not_regular',
  'bad_extension',
  'other_device',
  'swapped',
  'writable_folder',
  'unknown_root',
  'narrowed_by_client',
] as const;

test('every policy reason is hidden behind one message; the detail is the error message only', () => {
  for (const reason of POLICY) {
    assert.equal(isHiddenReason(reason), true, reason);
    const f = denied(reason, `/home/alice/secret: ${reason}`);
    assert.deepEqual([f.reason, f.publicMessage], [reason, NOT_FOUND_MESSAGE]);
    assert.equal(f.message, `/home/alice/secret: ${reason}`);
    assert.ok(f instanceof Error && f instanceof Failure);
  }
  assert.equal(NOT_FOUND_MESSAGE, 'not found or not allowed');
  assert.equal(denied('symlink').message, NOT_FOUND_MESSAGE);
});

test('actionable reasons keep their own message for the client', () => {
  for (const reason of ['invalid_argument', 'too_large', 'deadline', 'consent_refused', 'internal'] as const) {
    assert.equal(isHiddenReason(reason), false, reason);
  }
  const f = failure('too_large', 'Cannot read: 5 bytes over the 4-byte limit');
  assert.deepEqual([f.reason, f.publicMessage, f.message], ['too_large', f.message, f.message]);
});
