// Reading an HTTP response as keepalived 2.2.7 reads it for HTTP_GET, SSL_GET
// and genhash (check_http.c http_process_response, html.c), so that digests,
// status codes and genhash -v's dumps come out the same. Pure: bytes in,
// observer calls and a summary out; the socket is httpFetch.ts's business.
//
// What keepalived does, and so what this does:
// - It reads into a 4096-byte buffer, at most 4095 bytes a read (room for
//   the '\0' it appends). Until the header is complete the reads pile up in
//   that buffer; a buffer filled without a blank line ends the exchange.
// - The header ends at the first "\r\n\r\n" (a bare "\n\n" is not one).
// - The status code is the three digits after the first space of the first
//   read, followed by a space; anything else reads as 0, which no
//   status_code accepts.
// - Content-Length is looked for, case-sensitively, anywhere in the buffer
//   that completed the header (body bytes included, up to the first NUL); its
//   number must end the line, else the length counts as unknown.
// - The digest is the MD5 of every byte after the header, cut at
//   Content-Length when that is known, up to the end of the connection.
//   Chunked transfer encoding is not decoded: the chunk sizes and their CRLFs
//   are hashed with the data, as keepalived hashes them, so a digest is only
//   stable when the server frames the body the same way every time.
// Memory is constant whatever the body's size: the body is hashed as it passes.

import { createHash, type Hash } from 'node:crypto';

/** keepalived's MAX_BUFFER_LENGTH (4096) less the byte kept for its '\0'. */
export const KEEPALIVED_READ_SIZE = 4095;

/**
 * Told what keepalived's verbose genhash prints, as it happens. Calls follow
 * keepalived's reads of at most KEEPALIVED_READ_SIZE bytes. The bytes are
 * lent for the call only (the reader's buffers are reused): copy to keep.
 */
export interface HttpReadObserver {
  /** A read that arrived while the header was incomplete (genhash -v prints a banner for each). */
  headerRead?(): void;
  /** The header through its blank line, once complete. */
  header?(bytes: Uint8Array): void;
  /** Body bytes that went into the digest, one call per read; `withHeader` for those read with the header's end. */
  body?(bytes: Uint8Array, withHeader: boolean): void;
}

export interface HttpResponseSummary {
  /** False when the connection ended before a blank line ("no data received"). */
  readonly headerComplete: boolean;
  /** keepalived's reading of the status line; 0 when it cannot read one. */
  readonly statusCode: number;
  /** undefined when absent or unreadable (keepalived then hashes to the end of the connection). */
  readonly contentLength: number | undefined;
  /** Bytes received after the header, whether hashed or not. */
  readonly bodyBytes: number;
  /** The MD5 of the body as lowercase hex; undefined when not hashing. */
  readonly digest: string | undefined;
}

export interface ResponseReaderOptions {
  /** Compute the MD5 (keepalived does only for a url with a digest; genhash always). */
  readonly digest: boolean;
  readonly observer?: HttpReadObserver;
}

export class ResponseReader {
  private readonly headerBuffer = Buffer.alloc(KEEPALIVED_READ_SIZE);
  private headerLength = 0;
  private complete = false;
  private statusCode = 0;
  private contentLength: number | undefined;
  private received = 0;
  private readonly hash: Hash | undefined;
  private readonly observer: HttpReadObserver | undefined;

  constructor(options: ResponseReaderOptions) {
    this.hash = options.digest ? createHash('md5') : undefined;
    this.observer = options.observer;
  }

  /**
   * Takes bytes as they arrive. Returns false when keepalived would stop
   * reading: its buffer is full and still holds no complete header.
   */
  push(chunk: Uint8Array): boolean {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.complete) {
        const room = KEEPALIVED_READ_SIZE - this.headerLength;
        if (room === 0) return false;
        const n = Math.min(room, chunk.length - offset);
        this.headerBuffer.set(chunk.subarray(offset, offset + n), this.headerLength);
        this.headerLength += n;
        offset += n;
        this.observer?.headerRead?.();
        this.tryHeader();
        continue;
      }
      // Past the header, read boundaries matter only to an observer (genhash -v
      // dumps each read on its own); without one, take the chunk whole.
      const n = this.observer?.body ? Math.min(KEEPALIVED_READ_SIZE, chunk.length - offset) : chunk.length - offset;
      this.bodyRead(chunk.subarray(offset, offset + n), false);
      offset += n;
    }
    return this.complete || this.headerLength < KEEPALIVED_READ_SIZE;
  }

  finish(): HttpResponseSummary {
    return {
      headerComplete: this.complete,
      statusCode: this.statusCode,
      contentLength: this.contentLength,
      bodyBytes: this.received,
      digest: this.hash?.digest('hex'),
    };
  }

  private tryHeader(): void {
    const buffer = this.headerBuffer.subarray(0, this.headerLength);
    const end = headerEnd(buffer);
    if (end < 0) return;
    this.complete = true;
    this.statusCode = keepalivedStatusCode(buffer);
    this.contentLength = keepalivedContentLength(buffer);
    this.observer?.header?.(buffer.subarray(0, end));
    // Copied out: the header buffer is not reused, but the observer may keep what it is given.
    this.bodyRead(Buffer.from(buffer.subarray(end)), true);
  }

  private bodyRead(bytes: Uint8Array, withHeader: boolean): void {
    const limit = this.contentLength;
    if (bytes.length > 0 && this.hash && (limit === undefined || limit > this.received)) {
      const hashed = limit === undefined || limit >= this.received + bytes.length ? bytes : bytes.subarray(0, limit - this.received);
      this.hash.update(hashed);
      this.observer?.body?.(hashed, withHeader);
    }
    this.received += bytes.length;
  }
}

/** Offset just past the first "\r\n\r\n", or -1 (html.c extract_html). */
export function headerEnd(buffer: Uint8Array): number {
  const at = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).indexOf('\r\n\r\n');
  return at < 0 ? -1 : at + 4;
}

const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;

/** html.c extract_status_code: the code after the first space, exactly three digits then a space; else 0. */
export function keepalivedStatusCode(buffer: Uint8Array): number {
  let i = 0;
  while (i < buffer.length && buffer[i] !== SPACE && buffer[i] !== CR) i++;
  if (buffer[i] !== SPACE) return 0;
  i++;
  if (i + 3 >= buffer.length || buffer[i] === SPACE || buffer[i + 3] !== SPACE) return 0;
  const parsed = strtoul(buffer, i);
  return parsed.end === i + 3 && parsed.value <= HUGE ? Number(parsed.value) : 0;
}

const CONTENT_LENGTH = Buffer.from('Content-Length:');
/** Lengths past this are as good as unknown: keepalived's SIZE_MAX. */
const HUGE = BigInt(Number.MAX_SAFE_INTEGER);

/** html.c extract_content_length: undefined for keepalived's SIZE_MAX (absent or unreadable). */
export function keepalivedContentLength(buffer: Uint8Array): number | undefined {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  // strstr: the search stops at the first NUL.
  const nul = view.indexOf(0);
  const text = nul < 0 ? view : view.subarray(0, nul);
  const at = text.indexOf(CONTENT_LENGTH);
  if (at < 0) return undefined;
  const parsed = strtoul(text, at + CONTENT_LENGTH.length);
  const next = text[parsed.end];
  if (next !== CR && next !== LF) return undefined;
  return parsed.value > HUGE ? undefined : Number(parsed.value);
}

const ULONG_MAX = (1n << 64n) - 1n;

/**
 * C's strtoul(s, &end, 10) over bytes: leading white space, an optional sign,
 * decimal digits; `end` is where it stopped (the start when there are no
 * digits). A minus negates modulo 2^64, and overflow gives ULONG_MAX, as in C.
 */
export function strtoul(bytes: Uint8Array, start: number): { readonly value: bigint; readonly end: number } {
  let i = start;
  while (i < bytes.length && (bytes[i] === SPACE || (bytes[i]! >= 0x09 && bytes[i]! <= 0x0d))) i++;
  let negative = false;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) {
    negative = bytes[i] === 0x2d;
    i++;
  }
  const digitsStart = i;
  let value = 0n;
  let overflow = false;
  while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) {
    value = value * 10n + BigInt(bytes[i]! - 0x30);
    if (value > ULONG_MAX) overflow = true;
    i++;
  }
  if (i === digitsStart) return { value: 0n, end: start };
  if (overflow) return { value: ULONG_MAX, end: i };
  return { value: negative && value !== 0n ? (ULONG_MAX + 1n - value) : value, end: i };
}
