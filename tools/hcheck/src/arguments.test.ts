import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '@keepalived-ts/cli';
import { parseAccounts } from '@keepalived-ts/config';
import { parseDataArgument, parseDigest, parseStatusCodes, parseUser } from './arguments.js';

const usage = (pattern: RegExp) => (error: unknown) => error instanceof UserError && error.exitCode === 2 && pattern.test(error.message);

describe('parseDataArgument', () => {
  it("reads keepalived's hex when the value is only hex, text otherwise", () => {
    assert.deepEqual(parseDataArgument('payload', '68 65 6c 6c 6f', false), { data: Uint8Array.from(Buffer.from('hello')) });
    assert.deepEqual(parseDataArgument('payload', 'cafe', false), { data: Uint8Array.of(0xca, 0xfe) });
    assert.deepEqual(parseDataArgument('payload', 'hello world', false), { data: Uint8Array.from(Buffer.from('hello world')) });
    assert.deepEqual(parseDataArgument('reply', '4x 4x', true), { data: Uint8Array.of(0x40, 0x40), mask: Uint8Array.of(0x0f, 0x0f) });
    // x alone is no hex digit: text.
    assert.deepEqual(parseDataArgument('reply', 'xx', true), { data: Uint8Array.from(Buffer.from('xx')) });
    assert.throws(() => parseDataArgument('payload', '', false), usage(/--payload is empty/));
  });
});

describe('parseStatusCodes', () => {
  it('reads codes and ranges as ranges', () => {
    assert.deepEqual(parseStatusCodes('200'), [[200, 200]]);
    assert.deepEqual(parseStatusCodes('200-299,301'), [[200, 299], [301, 301]]);
    assert.throws(() => parseStatusCodes('299-200'), usage(/--status/));
    assert.throws(() => parseStatusCodes('2xx'), usage(/--status/));
    assert.throws(() => parseStatusCodes('700'), usage(/--status/));
  });
});

describe('parseDigest', () => {
  it('takes 32 hex digits', () => {
    assert.equal(parseDigest('9B3A0C85A887A256D6939DA88AABD8CD'), '9b3a0c85a887a256d6939da88aabd8cd');
    assert.throws(() => parseDigest('9b3a'), usage(/32 hex digits/));
  });
});

describe('parseUser', () => {
  const accounts = parseAccounts('root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n', 'root:x:0:\nnogroup:x:65534:\nadm:x:4:\n');
  it('reads names and numbers, the group defaulting to the user\'s', () => {
    assert.deepEqual(parseUser('nobody', accounts), { uid: 65534, gid: 65534 });
    assert.deepEqual(parseUser('nobody:adm', accounts), { uid: 65534, gid: 4 });
    assert.deepEqual(parseUser('1000', accounts), { uid: 1000, gid: 1000 });
    assert.deepEqual(parseUser('1000:4', accounts), { uid: 1000, gid: 4 });
  });
  it('names what is unknown', () => {
    assert.throws(() => parseUser('ghost', accounts), usage(/no such user "ghost"/));
    assert.throws(() => parseUser('nobody:ghosts', accounts), usage(/no such group "ghosts"/));
    assert.throws(() => parseUser('a:b:c', accounts), usage(/USER or USER:GROUP/));
  });
});
