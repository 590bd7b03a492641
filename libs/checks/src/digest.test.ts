import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDigest } from './digest.js';

describe('digest', () => {
  it('32 hex digits in either case, kept lowercase', () => {
    assert.deepEqual(parseDigest('9B3A0C85A887A256D6939DA88AABD8CD'), { ok: true, digest: '9b3a0c85a887a256d6939da88aabd8cd' });
  });

  it("refuses in keepalived's words", () => {
    assert.deepEqual(parseDigest('abc'), { ok: false, reason: "digest 'abc' character length should be 32 rather than 3" });
    assert.deepEqual(parseDigest('9b3a0c85a887a256d6939da88aabd8cz'), { ok: false, reason: "Unable to interpret hex digit in '9b3a0c85a887a256d6939da88aabd8cz' at offset 30/31" });
  });
});
