// The one outcome-to-wire mapping: what the client sees for each way a request ends, and what the audit
// record keeps. Denials stay generic; exception texts never reach the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denied, failure } from '../../src/errors/failure.ts';
import { RPC, RpcError } from '../../src/jsonrpc/codes.ts';
import { InputRequired } from '../../src/mcp/era.ts';
import { endingOf, errorMessage, inEra, resourceError, toolFailureText } from '../../src/mcp/outcome.ts';

test('`endingOf()` keeps an RpcError, counting a missing resource as a denial', () => {
  const missing = endingOf(
    new RpcError(RPC.RESOURCE_NOT_FOUND, 'Resource not found or not allowed', 'symlink'),
    'resources/read',
  );
  assert.deepEqual([missing.outcome, missing.reason], ['denied', 'symlink']);
  const bad = endingOf(new RpcError(RPC.INVALID_PARAMS, 'Invalid params: x', 'invalid_params'), 'tools/call');
  assert.equal(bad.outcome, 'refused');
  assert.ok(bad.reply && 'error' in bad.reply && bad.reply.error.code === RPC.INVALID_PARAMS);
});

test('`endingOf()` answers a deadline as an isError result for tools/call and as -32005 naming limits.deadlineMs elsewhere', () => {
  const late = failure('deadline', 'Cannot finish: the call ran past the 100 ms deadline (limits.deadlineMs)');
  const tool = endingOf(late, 'tools/call');
  assert.deepEqual(tool.reply, { result: { content: [{ type: 'text', text: late.publicMessage }], isError: true } });
  assert.deepEqual([tool.outcome, tool.reason], ['refused', 'deadline']);
  const other = endingOf(late, 'resources/read');
  assert.ok(other.reply && 'error' in other.reply);
  assert.deepEqual([other.reply.error.code, other.reply.error.message], [RPC.LIMIT_REACHED, late.publicMessage]);
  assert.deepEqual(other.reply.error.data, { limit: 'limits.deadlineMs' });
  const cancelled = endingOf(failure('cancelled', 'Cancelled by the client'), 'resources/list');
  assert.ok(cancelled.reply && 'error' in cancelled.reply && cancelled.reply.error.code === RPC.INTERNAL_ERROR);
});

test('`endingOf()` hides an unknown exception behind "Internal error" and keeps its text for the audit log', () => {
  const e = endingOf(new TypeError('Cannot read properties of undefined (reading "/home/me/secret")'), 'tools/call');
  assert.ok(e.reply && 'error' in e.reply);
  assert.deepEqual([e.reply.error.code, e.reply.error.message], [RPC.INTERNAL_ERROR, 'Internal error']);
  assert.deepEqual([e.outcome, e.reason], ['error', 'internal']);
  assert.match(e.detail ?? '', /TypeError: .*secret/);
  assert.doesNotMatch(JSON.stringify(e.reply), /secret/);
});

test('`endingOf()` passes an input-required result through as a result', () => {
  const e = endingOf(new InputRequired({ resultType: 'input_required' }), 'tools/call');
  assert.deepEqual(e, { reply: { result: { resultType: 'input_required' } }, outcome: 'ok', reason: 'input_required' });
});

test('`toolFailureText()` says only "not found or not allowed" for every policy denial, whatever the rule', () => {
  for (const reason of ['symlink', 'outside_root', 'denied_pattern', 'narrowed_by_client'] as const) {
    assert.equal(
      toolFailureText('search_docs', denied(reason, 'symlink at /etc/passwd')),
      'Cannot search: not found or not allowed',
    );
  }
  assert.equal(toolFailureText('read_doc', denied('hard_link')), 'Cannot read: not found or not allowed');
  const limit = failure(
    'too_large',
    'Cannot read document: it is 9 bytes, over the 1-byte file limit (files.maxFileBytes)',
  );
  assert.equal(toolFailureText('read_doc', limit), limit.publicMessage, 'actionable messages pass unchanged');
});

test('`resourceError()` answers denied and invalid paths exactly like a missing resource', () => {
  const notFound = (reason: string) =>
    new RpcError(RPC.RESOURCE_NOT_FOUND, 'Resource not found or not allowed', reason);
  assert.equal(resourceError(denied('symlink'), notFound).code, RPC.RESOURCE_NOT_FOUND);
  assert.equal(resourceError(failure('invalid_path', 'Invalid path: ..'), notFound).code, RPC.RESOURCE_NOT_FOUND);
  const big = resourceError(failure('too_large', 'Cannot read document: too large'), notFound);
  assert.deepEqual([big.code, big.message], [RPC.INVALID_PARAMS, 'Cannot read document: too large']);
});

test('`inEra()` turns -32002 into -32602 in the stateless era only; `errorMessage()` never sends "id": null', () => {
  const e = new RpcError(RPC.RESOURCE_NOT_FOUND, 'Resource not found or not allowed', 'not_found', {
    uri: 'docs://d/x',
  });
  assert.equal(inEra(e, false), e);
  assert.deepEqual([inEra(e, true).code, inEra(e, true).data], [RPC.INVALID_PARAMS, { uri: 'docs://d/x' }]);
  assert.deepEqual(errorMessage(undefined, { code: -32600, message: 'm' }), {
    jsonrpc: '2.0',
    error: { code: -32600, message: 'm' },
  });
  assert.deepEqual(errorMessage(7, { code: -32600, message: 'm', data: 1 }), {
    jsonrpc: '2.0',
    id: 7,
    error: { code: -32600, message: 'm', data: 1 },
  });
});
