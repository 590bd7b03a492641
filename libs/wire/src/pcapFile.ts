// Classic pcap files (the format `tcpdump -w` writes), read in chunks so a
// file of any size takes constant memory. pcapng is recognised and refused
// with a way out, rather than misread.

import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { isSupportedLinkType, type LinkTypeCode } from './linkLayer.js';

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;
const GLOBAL_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** Larger than any snapshot length tcpdump uses; a bigger record means a corrupt file. */
const MAX_RECORD_LENGTH = 262144 * 4;

export interface PcapRecord {
  readonly seconds: number;
  readonly micros: number;
  readonly capturedLength: number;
  readonly originalLength: number;
  /** Valid only during the callback: the chunk buffer is reused. */
  readonly data: Uint8Array;
}

export class PcapFileError extends Error {
  constructor(message: string, readonly packetsRead: number) {
    super(message);
    this.name = 'PcapFileError';
  }
}

export interface PcapReadSummary {
  readonly linkType: LinkTypeCode;
  readonly packets: number;
}

/**
 * Calls onHeader once with the link type, then onRecord for each packet, in
 * file order. Throws PcapFileError after delivering every whole record when
 * the file is truncated or corrupt, naming the offset.
 */
export function readPcapFile(
  path: string,
  onHeader: (linkType: LinkTypeCode, snapLength: number) => void,
  onRecord: (record: PcapRecord) => void,
  chunkSize = 4 << 20,
): PcapReadSummary {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(chunkSize);
    let start = 0;
    let end = 0;
    let fileOffset = 0; // offset in the file of buf[start]
    let eof = false;
    /** Ensures `need` bytes from `start` are in the buffer; false at end of file. */
    const fill = (need: number): boolean => {
      if (end - start >= need) return true;
      if (start > 0) { buf.copy(buf, 0, start, end); end -= start; start = 0; }
      if (need > buf.length) { const bigger = Buffer.allocUnsafe(need * 2); buf.copy(bigger, 0, 0, end); buf = bigger; }
      while (!eof && end < need) {
        const n = readSync(fd, buf, end, buf.length - end, null);
        if (n === 0) eof = true;
        end += n;
      }
      return end - start >= need;
    };

    if (!fill(GLOBAL_HEADER_LENGTH)) {
      if (end === 0) throw new PcapFileError(`${path}: empty file, not a pcap file`, 0);
      throw new PcapFileError(`${path}: truncated pcap file header (${end} of ${GLOBAL_HEADER_LENGTH} octets)`, 0);
    }
    const magicBE = buf.readUInt32BE(0);
    const magicLE = buf.readUInt32LE(0);
    if (magicBE === MAGIC_PCAPNG) {
      throw new PcapFileError(`${path}: pcapng files are not supported; convert with: editcap -F pcap ${path} out.pcap`, 0);
    }
    const littleEndian = magicLE === MAGIC_MICROS || magicLE === MAGIC_NANOS;
    if (!littleEndian && magicBE !== MAGIC_MICROS && magicBE !== MAGIC_NANOS) {
      throw new PcapFileError(`${path}: not a pcap file (magic 0x${magicBE.toString(16).padStart(8, '0')})`, 0);
    }
    const nanos = (littleEndian ? magicLE : magicBE) === MAGIC_NANOS;
    const u32 = littleEndian ? (at: number) => buf.readUInt32LE(at) : (at: number) => buf.readUInt32BE(at);
    const snapLength = u32(16);
    const linkType = u32(20) & 0x0fffffff;
    if (!isSupportedLinkType(linkType)) {
      throw new PcapFileError(`${path}: link type ${linkType} is not supported (Ethernet, Linux cooked and raw IP are)`, 0);
    }
    onHeader(linkType, snapLength);
    start += GLOBAL_HEADER_LENGTH;
    fileOffset += GLOBAL_HEADER_LENGTH;

    let packets = 0;
    for (;;) {
      if (!fill(RECORD_HEADER_LENGTH)) {
        if (end - start === 0) break;
        throw new PcapFileError(`${path}: truncated record header at offset ${fileOffset} after ${packets} packets`, packets);
      }
      const seconds = u32(start);
      const fraction = u32(start + 4);
      const capturedLength = u32(start + 8);
      const originalLength = u32(start + 12);
      if (capturedLength > MAX_RECORD_LENGTH) {
        throw new PcapFileError(`${path}: corrupt record at offset ${fileOffset}: captured length ${capturedLength} is implausible`, packets);
      }
      if (!fill(RECORD_HEADER_LENGTH + capturedLength)) {
        throw new PcapFileError(
          `${path}: truncated packet at offset ${fileOffset} after ${packets} packets (${end - start - RECORD_HEADER_LENGTH} of ${capturedLength} octets)`,
          packets,
        );
      }
      const dataStart = start + RECORD_HEADER_LENGTH;
      onRecord({
        seconds,
        micros: nanos ? Math.floor(fraction / 1000) : fraction,
        capturedLength,
        originalLength,
        data: buf.subarray(dataStart, dataStart + capturedLength),
      });
      packets++;
      start = dataStart + capturedLength;
      fileOffset += RECORD_HEADER_LENGTH + capturedLength;
    }
    return { linkType, packets };
  } finally {
    closeSync(fd);
  }
}

/** Writes classic microsecond pcap, buffering records into large writes. */
export class PcapWriter {
  private readonly fd: number;
  private chunk = Buffer.allocUnsafe(1 << 20);
  private used = 0;

  constructor(path: string, linkType: LinkTypeCode, snapLength = 262144) {
    this.fd = openSync(path, 'w');
    const header = Buffer.alloc(GLOBAL_HEADER_LENGTH);
    header.writeUInt32LE(MAGIC_MICROS, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(snapLength, 16);
    header.writeUInt32LE(linkType, 20);
    this.append(header);
  }

  write(seconds: number, micros: number, data: Uint8Array, originalLength = data.length): void {
    if (this.used + RECORD_HEADER_LENGTH + data.length > this.chunk.length) this.flush();
    if (RECORD_HEADER_LENGTH + data.length > this.chunk.length) this.chunk = Buffer.allocUnsafe(2 * (RECORD_HEADER_LENGTH + data.length));
    const at = this.used;
    this.chunk.writeUInt32LE(seconds >>> 0, at);
    this.chunk.writeUInt32LE(micros >>> 0, at + 4);
    this.chunk.writeUInt32LE(data.length, at + 8);
    this.chunk.writeUInt32LE(originalLength, at + 12);
    this.chunk.set(data, at + RECORD_HEADER_LENGTH);
    this.used = at + RECORD_HEADER_LENGTH + data.length;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.chunk, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private append(bytes: Uint8Array): void {
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
  }
}
