// Replies of line protocols with three-digit codes (SMTP, RFC 5321 section
// 4.2): "250 OK", or several lines "250-first" ... "250 last" making one
// reply. Pure: bytes in, replies or a reason out; the checker does the I/O.
//
// keepalived reads only the first three characters of whatever arrived and
// so can mistake the rest of a multi-line banner for the next reply; this
// reader waits for the last line of each reply instead.

export interface LineReply {
  readonly code: number;
  /** The text after the code, lines joined by a space ("ESMTP ready"). */
  readonly text: string;
}

export type ReplyEvent =
  | { readonly ok: true; readonly reply: LineReply }
  | { readonly ok: false; readonly reason: string };

/** Longer lines are an error rather than a buffer that grows without end (RFC 5321 allows 512). */
export const MAX_REPLY_LINE = 4096;

const REPLY_LINE = /^(\d{3})([ -]?)(.*)$/;

export class ReplyReader {
  private pending = '';
  private lines: string[] = [];
  private code: number | undefined;
  private failed = false;

  /** Takes the next bytes from the server; returns every reply they complete, or the first error. */
  push(chunk: Uint8Array): ReplyEvent[] {
    if (this.failed) return [];
    // latin1 keeps one character per byte: codes are ASCII and the text is only shown.
    this.pending += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const events: ReplyEvent[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      const event = this.line(line);
      if (event) {
        events.push(event);
        if (!event.ok) return events;
      }
    }
    if (this.pending.length > MAX_REPLY_LINE) return [...events, this.fail(`reply line longer than ${MAX_REPLY_LINE} bytes`)];
    return events;
  }

  /** Bytes received that do not yet make a whole line. */
  get partial(): string {
    return this.pending;
  }

  private line(line: string): ReplyEvent | undefined {
    if (line.length > MAX_REPLY_LINE) return this.fail(`reply line longer than ${MAX_REPLY_LINE} bytes`);
    const match = REPLY_LINE.exec(line);
    if (!match) return this.fail(`not a reply: ${JSON.stringify(line.slice(0, 80))}`);
    const code = Number(match[1]);
    if (this.code !== undefined && code !== this.code) {
      return this.fail(`reply code changed from ${this.code} to ${code} inside a multi-line reply`);
    }
    this.code = code;
    this.lines.push(match[3]!.trim());
    if (match[2] === '-') return undefined;
    const reply: LineReply = { code, text: this.lines.filter((text) => text !== '').join(' ') };
    this.lines = [];
    this.code = undefined;
    return { ok: true, reply };
  }

  private fail(reason: string): ReplyEvent {
    this.failed = true;
    return { ok: false, reason };
  }
}
