import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { KEEPALIVED_READ_SIZE, ResponseReader, keepalivedContentLength, keepalivedStatusCode, type HttpReadObserver } from './httpResponse.js';

const md5 = (text: string | Uint8Array): string => createHash('md5').update(text).digest('hex');
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

function read(chunks: readonly string[], observer?: HttpReadObserver) {
  const reader = new ResponseReader({ digest: true, ...(observer ? { observer } : {}) });
  for (const chunk of chunks) if (!reader.push(bytes(chunk))) break;
  return reader.finish();
}

describe('ResponseReader: the digest keepalived computes', () => {
  it('hashes the body after the blank line, to the end of the connection', () => {
    const summary = read(['HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello world\n']);
    assert.deepEqual(summary, { headerComplete: true, statusCode: 200, contentLength: undefined, bodyBytes: 12, digest: md5('hello world\n') });
  });

  it('cuts the body at Content-Length, however the reads fall', () => {
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world\n']).digest, md5('hello'));
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-Length: 7\r\n', '\r\nhel', 'lo wor', 'ld\n']).digest, md5('hello w'));
  });

  it('hashes chunked bodies raw, chunk sizes and CRLFs included, as keepalived does', () => {
    const body = '5\r\nhello\r\n0\r\n\r\n';
    assert.equal(read([`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`]).digest, md5(body));
  });

  it('ignores a lowercase content-length, and one whose number does not end the line', () => {
    assert.equal(read(['HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello world\n']).digest, md5('hello world\n'));
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-Length: 5 \r\n\r\nhello world\n']).digest, md5('hello world\n'));
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello world\n']).digest, md5('hello world\n'));
  });

  it('finds Content-Length in body bytes that came with the header, as strstr over the buffer does', () => {
    assert.equal(read(['HTTP/1.1 200 OK\r\nX: 1\r\n\r\nhello Content-Length: 3\r\nworld\n']).digest, md5('hel'));
    // ...but not past a NUL byte, where strstr stops.
    assert.equal(read(['HTTP/1.1 200 OK\r\nX: 1\r\n\r\n\0 Content-Length: 3\r\n']).digest, md5('\0 Content-Length: 3\r\n'));
  });

  it('reports no header for a bare LF blank line, or a connection closed early', () => {
    assert.equal(read(['HTTP/1.1 200 OK\nContent-Length: 3\n\nhello\n']).headerComplete, false);
    const empty = read([]);
    assert.equal(empty.headerComplete, false);
    assert.equal(empty.digest, md5(''));
  });

  it('stops like keepalived when 4095 bytes hold no complete header', () => {
    const reader = new ResponseReader({ digest: true });
    assert.equal(reader.push(Buffer.alloc(KEEPALIVED_READ_SIZE, 0x41)), false);
    assert.equal(reader.finish().headerComplete, false);
  });

  it('does not hash when not asked to', () => {
    const reader = new ResponseReader({ digest: false });
    reader.push(bytes('HTTP/1.0 200 OK\r\n\r\nbody'));
    assert.equal(reader.finish().digest, undefined);
  });
});

describe('ResponseReader: what genhash -v is told', () => {
  it('a header banner per read until the header ends, then the body read by read in 4095-byte pieces', () => {
    const events: string[] = [];
    const observer: HttpReadObserver = {
      headerRead: () => events.push('headerRead'),
      header: (b) => events.push(`header ${b.length}`),
      body: (b, withHeader) => events.push(`body ${b.length}${withHeader ? ' +header' : ''}`),
    };
    const header = 'HTTP/1.0 200 OK\r\nX: y\r\n\r\n';
    read(['HTTP/1.0 200 OK\r\n', `X: y\r\n\r\n${'a'.repeat(5000)}`, 'b'.repeat(9000)], observer);
    const bodyInFirst = KEEPALIVED_READ_SIZE - 'HTTP/1.0 200 OK\r\n'.length - 'X: y\r\n\r\n'.length;
    assert.deepEqual(events, [
      'headerRead',
      'headerRead',
      `header ${header.length}`,
      `body ${bodyInFirst} +header`,
      `body ${5000 - bodyInFirst}`,
      'body 4095',
      'body 4095',
      `body ${9000 - 8190}`,
    ]);
  });

  it('no body call for bytes past Content-Length, nor for a header read alone', () => {
    const events: string[] = [];
    read(['HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n', 'abcdef', 'ghi'], { body: (b) => events.push(Buffer.from(b).toString()) });
    assert.deepEqual(events, ['abc']);
  });
});

describe('keepalived html.c parsers', () => {
  it('status: three digits between the first space and the next one, else 0', () => {
    assert.equal(keepalivedStatusCode(bytes('HTTP/1.1 503 Service Unavailable\r\n')), 503);
    assert.equal(keepalivedStatusCode(bytes('HTTP/1.1 200\r\n\r\n')), 0);
    assert.equal(keepalivedStatusCode(bytes('HTTP/1.1 2000 OK\r\n')), 0);
    assert.equal(keepalivedStatusCode(bytes('garbage\r\n\r\n')), 0);
  });

  it('Content-Length: strtoul after the colon, the line must end right after', () => {
    assert.equal(keepalivedContentLength(bytes('Content-Length: 17\r\n')), 17);
    assert.equal(keepalivedContentLength(bytes('Content-Length:\t+5\n')), 5);
    assert.equal(keepalivedContentLength(bytes('Content-Length: -1\r\n')), undefined);
    assert.equal(keepalivedContentLength(bytes('Content-Length: 99999999999999999999999\r\n')), undefined);
    assert.equal(keepalivedContentLength(bytes('Content-Length: 5;\r\n')), undefined);
    assert.equal(keepalivedContentLength(bytes('X: 1\r\n')), undefined);
  });
});
