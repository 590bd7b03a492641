// What the demo prints. Plain lines always (one event a line, time first, so
// `grep` and `tee` work); on a terminal also a status line under them,
// rewritten in place, with who is master and what the client sees right now.

import type { Colour } from '@keepalived-ts/cli';

// Control sequences: carriage return, then erase the whole line.
const CLEAR_LINE = '\r\x1b[2K';
const ANSI = /\x1b\[[0-9;]*m/g;

export const visibleLength = (text: string): number => text.replace(ANSI, '').length;

export class Screen {
  private statusText = '';
  private statusShown = false;
  private closed = false;
  private broken = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    readonly colour: Colour,
    private readonly startedAt: number,
  ) {
    // A reader that goes away (`| head`) must not crash the demo before it has cleaned up.
    out.on('error', () => {
      this.broken = true;
    });
  }

  /** Whether there is a terminal to keep a status line on. */
  get live(): boolean {
    return this.out.isTTY === true && !this.closed;
  }

  /** Seconds since the demo started, as the first column of every line. */
  clock(at = Date.now()): string {
    return `[${((at - this.startedAt) / 1000).toFixed(2).padStart(6)}s]`;
  }

  /** One event line: `[  5.21s] node1    (VI_1) Entering MASTER STATE`. */
  event(source: string, text: string, at = Date.now()): void {
    this.print(`${this.colour.dim(this.clock(at))} ${source} ${text}`);
  }

  /** A step of the story, set apart. */
  heading(text: string): void {
    this.print('');
    this.print(this.colour.cyan.bold(`==> ${text}`));
  }

  /** A line as it is. */
  print(line: string): void {
    if (this.broken) return;
    if (this.statusShown) this.out.write(CLEAR_LINE);
    this.out.write(line + '\n');
    this.statusShown = false;
    this.drawStatus();
  }

  /** Replaces the status line (terminal only; elsewhere the event lines say it all). */
  status(text: string): void {
    this.statusText = text;
    this.drawStatus();
  }

  /** Removes the status line for good. */
  close(): void {
    if (this.statusShown && !this.broken) this.out.write(CLEAR_LINE);
    this.statusShown = false;
    this.closed = true;
  }

  private drawStatus(): void {
    if (!this.live || this.broken || this.statusText === '') return;
    // columns is 0 or undefined when the terminal does not say its size.
    const width = Math.max(20, (this.out.columns || 80) - 1);
    // A status line longer than the terminal would wrap, and the next rewrite would leave its first half behind.
    const text = visibleLength(this.statusText) > width ? this.statusText.replace(ANSI, '').slice(0, width) : this.statusText;
    this.out.write(CLEAR_LINE + text);
    this.statusShown = true;
  }
}
