// genhash's stdout, gathered and written in blocks: -v prints a line per 16
// body bytes. Writes to a pipe or file are synchronous on Linux, so memory
// stays bounded by the block. A closed pipe (genhash -v ... | head) ends quietly.

const BLOCK = 1 << 16;

export class Output {
  private parts: Buffer[] = [];
  private size = 0;

  constructor() {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }

  text(text: string): void {
    this.bytes(Buffer.from(text, 'utf8'));
  }

  /** Bytes as received (the response header), written unchanged. */
  bytes(bytes: Uint8Array): void {
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
    if (this.size >= BLOCK) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    process.stdout.write(Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
  }
}
