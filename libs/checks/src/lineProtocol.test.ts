import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REPLY_LINE, ReplyReader, type ReplyEvent } from './lineProtocol.js';

const push = (reader: ReplyReader, text: string): ReplyEvent[] => reader.push(Buffer.from(text, 'latin1'));

describe('ReplyReader', () => {
  it('reads one-line replies with CRLF or LF, in as many pieces as they come', () => {
    const reader = new ReplyReader();
    assert.deepEqual(push(reader, '220 mail.example.com ES'), []);
    assert.equal(reader.partial, '220 mail.example.com ES');
    assert.deepEqual(push(reader, 'MTP ready\r\n250 OK\n'), [
      { ok: true, reply: { code: 220, text: 'mail.example.com ESMTP ready' } },
      { ok: true, reply: { code: 250, text: 'OK' } },
    ]);
    assert.deepEqual(push(reader, '221\r\n'), [{ ok: true, reply: { code: 221, text: '' } }]);
  });

  it('waits for the last line of a multi-line reply (keepalived reads only the first)', () => {
    const reader = new ReplyReader();
    assert.deepEqual(push(reader, '220-mail.example.com\r\n220-no UCE\r\n'), []);
    assert.deepEqual(push(reader, '220 ready\r\n'), [{ ok: true, reply: { code: 220, text: 'mail.example.com no UCE ready' } }]);
  });

  it('turns garbage, a code changing mid-reply and endless lines into reasons, then stops', () => {
    const garbage = new ReplyReader();
    assert.deepEqual(push(garbage, 'HTTP/1.1 400 Bad Request\r\n220 ok\r\n'), [{ ok: false, reason: 'not a reply: "HTTP/1.1 400 Bad Request"' }]);
    assert.deepEqual(push(garbage, '220 ok\r\n'), []);
    const changing = new ReplyReader();
    assert.deepEqual(push(changing, '250-a\r\n251 b\r\n'), [{ ok: false, reason: 'reply code changed from 250 to 251 inside a multi-line reply' }]);
    const endless = new ReplyReader();
    const events = push(endless, '220 ' + 'x'.repeat(MAX_REPLY_LINE + 10));
    assert.deepEqual(events, [{ ok: false, reason: `reply line longer than ${MAX_REPLY_LINE} bytes` }]);
  });
});
