import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestDump, dumpBuffer } from './verboseDump.js';

describe("genhash -v's dumps", () => {
  it('dump_buffer: decimal offsets, a dash after 8 bytes, printable ASCII, the last line padded', () => {
    assert.equal(
      dumpBuffer(Buffer.from('HTTP/1.0 200 OK\r\nX: y\r\n\r\n', 'latin1')),
      '0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n' +
        '0016  0a 58 3a 20 79 0d 0a 0d - 0a                        .X: y....       \n',
    );
    assert.equal(dumpBuffer(Buffer.from('abc')), '0000  61 62 63                -                           abc             \n');
    assert.equal(dumpBuffer(Buffer.alloc(0)), '');
  });

  it('dump_digest', () => {
    assert.equal(
      digestDump('7cb04a3741e6b8547bb003c592547b80'),
      '\n-----------------------[    HTML hash resulting    ]-----------------------\n' +
        '0000  7c b0 4a 37 41 e6 b8 54 - 7b b0 03 c5 92 54 7b 80   |.J7A..T{....T{.\n' +
        '-----------------------[ HTML hash final resulting ]-----------------------\n',
    );
  });
});
