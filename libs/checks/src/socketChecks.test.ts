// The socket checkers against small servers on loopback in this process, for
// what the namespace labs (test/checks) cannot stage easily: replies that
// must be ignored, malformed replies, replies in pieces, abandoning a check.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, it } from 'node:test';
import { dnsCheck } from './dnsCheck.js';
import { decodeDnsMessage } from './dnsMessage.js';
import { pingCheck } from './pingCheck.js';
import { smtpCheck } from './smtpCheck.js';
import { tcpCheck } from './tcpCheck.js';

/** A UDP server on 127.0.0.1 answering each datagram with what `reply` returns (nothing when empty). */
async function udpServer(reply: (query: Buffer) => readonly Buffer[]): Promise<{ port: number; close(): void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    for (const answer of reply(query)) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

/** A DNS reply to `query`: its id (or another), QR set, an rcode, and the given answer records. */
function dnsReply(query: Buffer, options: { id?: number; response?: boolean; rcode?: number; answers?: readonly Buffer[] } = {}): Buffer {
  const question = query.subarray(12);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(options.id ?? query.readUInt16BE(0), 0);
  header.writeUInt16BE((options.response === false ? 0 : 0x8000) | 0x0180 | (options.rcode ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(options.answers?.length ?? 0, 6);
  return Buffer.concat([header, question, ...(options.answers ?? [])]);
}

// web.test A 10.9.9.9, its name a pointer to the question.
const A_RECORD = Buffer.from('c00c000100010000003c00040a090909', 'hex');

describe('dnsCheck', () => {
  it('ignores replies with another id and queries, as keepalived does, and takes the first real reply', async () => {
    const server = await udpServer((query) => [
      dnsReply(query, { id: (query.readUInt16BE(0) + 1) & 0xffff, rcode: 3 }),
      dnsReply(query, { response: false, rcode: 2 }),
      Buffer.from('short'),
      dnsReply(query, { answers: [A_RECORD] }),
    ]);
    try {
      const result = await dnsCheck({ host: '127.0.0.1', port: server.port, name: 'web.test', type: 'A', timeoutMs: 2000 });
      assert.deepEqual([result.status, result.detail], ['up', 'DNS web.test A 10.9.9.9']);
    } finally {
      server.close();
    }
  });

  it('sends the query keepalived sends, and takes NOERROR without answers as up only when told to', async () => {
    const seen: Buffer[] = [];
    const server = await udpServer((query) => (seen.push(query), [dnsReply(query)]));
    try {
      const strict = await dnsCheck({ host: '127.0.0.1', port: server.port, name: 'web.test', type: 'MX', timeoutMs: 2000 });
      assert.deepEqual([strict.status, strict.detail], ['down', 'DNS no answer for web.test MX']);
      const lenient = await dnsCheck({ host: '127.0.0.1', port: server.port, name: 'web.test', type: 'MX', requireAnswer: false, timeoutMs: 2000 });
      assert.deepEqual([lenient.status, lenient.detail], ['up', 'DNS NOERROR for web.test MX, no answer']);
      const query = decodeDnsMessage(seen[0]!);
      assert.ok(query.ok);
      assert.deepEqual([query.message.response, query.message.recursionDesired, query.message.questions], [false, true, [{ name: 'web.test', type: 15, class: 1 }]]);
      // keepalived's defaults: ". SOA".
      await dnsCheck({ host: '127.0.0.1', port: server.port, timeoutMs: 2000 });
      const defaults = decodeDnsMessage(seen[2]!);
      assert.ok(defaults.ok);
      assert.deepEqual(defaults.message.questions, [{ name: '.', type: 6, class: 1 }]);
    } finally {
      server.close();
    }
  });

  it('reports a malformed reply with its reason', async () => {
    const server = await udpServer((query) => [dnsReply(query, { answers: [A_RECORD.subarray(0, 8)] })]);
    try {
      const result = await dnsCheck({ host: '127.0.0.1', port: server.port, name: 'web.test', type: 'A', timeoutMs: 2000 });
      assert.equal(result.status, 'down');
      assert.match(result.detail, /^malformed DNS reply: DNS message ends inside a record header/);
    } finally {
      server.close();
    }
  });

  it('refuses options keepalived would refuse, by throwing', () => {
    assert.throws(() => dnsCheck({ host: 'dns.example', timeoutMs: 100 }), /not an IP address/);
    assert.throws(() => dnsCheck({ host: '127.0.0.1', type: 'SRV', timeoutMs: 100 }), /DNS type "SRV"/);
    assert.throws(() => dnsCheck({ host: '127.0.0.1', bindTo: '::1', timeoutMs: 100 }), /not an IPv4 address/);
  });
});

describe('smtpCheck', () => {
  it('reads a multi-line greeting sent in pieces, then HELO and QUIT', async () => {
    const heard: string[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('220-mx.example');
      setTimeout(() => socket.write(' ESMTP\r\n220 ready\r\n'), 20);
      socket.on('data', (data) => {
        const line = String(data);
        heard.push(line);
        if (line.startsWith('HELO')) socket.write('250 hello\r\n');
        if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await smtpCheck({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, heloName: 'lb1', timeoutMs: 2000 });
      assert.deepEqual([result.status, result.detail], ['up', 'SMTP 220 mx.example ESMTP ready']);
      assert.deepEqual(heard, ['HELO lb1\r\n', 'QUIT\r\n']);
    } finally {
      server.close();
    }
  });
});

describe('runExchange through tcpCheck', () => {
  it('ends a check at once when its signal aborts, or had aborted before', async () => {
    // Aborted before the refusal can arrive: the abandonment is the result, and the refusal is ignored.
    const controller = new AbortController();
    const pending = tcpCheck({ host: '127.0.0.1', port: 9, timeoutMs: 5000, signal: controller.signal });
    controller.abort();
    const result = await pending;
    assert.deepEqual([result.status, result.detail], ['down', 'check abandoned']);
    const already = await tcpCheck({ host: '127.0.0.1', port: 9, timeoutMs: 5000, signal: AbortSignal.abort() });
    assert.equal(already.detail, 'check abandoned');
  });
});

describe('pingCheck', { skip: process.getuid?.() === 0 ? false : 'needs root (raw ICMP sockets)' }, () => {
  it('runs many at once in one process over one socket per family, each getting its own reply', async () => {
    const targets = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? '127.0.0.1' : '::1'));
    const results = await Promise.all(targets.map((host) => pingCheck({ host, timeoutMs: 2000 })));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set(['up']));
  });
});
