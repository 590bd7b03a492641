import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatusCodes, parseStatusCodes, statusMatches } from './httpStatus.js';

describe('status_code', () => {
  it('reads codes and ranges, and skips what keepalived refuses', () => {
    assert.deepEqual(parseStatusCodes(['200-299', '400-499', '503', '505']).ranges, [[200, 299], [400, 499], [503, 503], [505, 505]]);
    assert.deepEqual(parseStatusCodes(['99', '600', '300-200', '2xx', '200']), {
      ranges: [[200, 200]],
      errors: ["Invalid HTTP_GET status code '99'", "Invalid HTTP_GET status code '600'", "Invalid HTTP_GET status code '300-200'", "Invalid HTTP_GET status code '2xx'"],
    });
  });

  it('matches and prints ranges', () => {
    assert.equal(statusMatches(204, [[200, 299]]), true);
    assert.equal(statusMatches(503, [[200, 299]]), false);
    assert.equal(statusMatches(0, [[200, 299]]), false);
    assert.equal(formatStatusCodes([[200, 200], [301, 302]]), '200, 301-302');
  });
});
