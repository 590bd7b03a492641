import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpResponseSummary } from '@keepalived-ts/checks';
import { genhashOutcome } from './outcome.js';

const response = (headerComplete: boolean): HttpResponseSummary => ({ headerComplete, statusCode: headerComplete ? 200 : 0, contentLength: undefined, bodyBytes: 0, digest: 'd41d8cd98f00b204e9800998ecf8427e' });

describe("what genhash prints at the end", () => {
  it('the digest, dumped first in verbose mode', () => {
    assert.deepEqual(genhashOutcome({ ok: true, response: response(true), durationMs: 1 }, false), { digest: 'd41d8cd98f00b204e9800998ecf8427e', digestDump: 'd41d8cd98f00b204e9800998ecf8427e', stdout: 'd41d8cd98f00b204e9800998ecf8427e', stderr: undefined });
  });

  it('no header: stderr over HTTP, "SSL read error from" over TLS', () => {
    assert.equal(genhashOutcome({ ok: true, response: response(false), durationMs: 1 }, false).stderr, 'no data received from remote webserver');
    assert.equal(genhashOutcome({ ok: true, response: response(false), durationMs: 1 }, true).stdout, 'SSL read error from');
  });

  it("keepalived's checker messages per stage", () => {
    const say = (failure: Parameters<typeof genhashOutcome>[0] & { ok: false }, ssl = false) => genhashOutcome(failure, ssl).stdout;
    assert.equal(say({ ok: false, failure: { kind: 'connect', code: 'ECONNREFUSED', message: '' }, durationMs: 1 }), 'Connection failed');
    assert.equal(say({ ok: false, failure: { kind: 'timeout', stage: 'connect', afterMs: 1 }, durationMs: 1 }), 'Timeout connecting');
    assert.equal(say({ ok: false, failure: { kind: 'timeout', stage: 'response', afterMs: 1 }, durationMs: 1 }), 'Timeout WEB read');
    assert.equal(say({ ok: false, failure: { kind: 'timeout', stage: 'read', afterMs: 1 }, durationMs: 1 }), 'Timeout HTTP read');
    assert.equal(say({ ok: false, failure: { kind: 'timeout', stage: 'response', afterMs: 1 }, durationMs: 1 }, true), 'Timeout SSL read');
    assert.equal(say({ ok: false, failure: { kind: 'tls', message: 'wrong version number' }, durationMs: 1 }, true), 'SSL handshake/communication error connecting to');
    assert.equal(say({ ok: false, failure: { kind: 'io', stage: 'read', code: 'ECONNRESET', message: '', response: response(true) }, durationMs: 1 }), 'Read error with');
  });
});
