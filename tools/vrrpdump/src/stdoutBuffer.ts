// Lines are gathered and written in large blocks: one write per line costs
// more than decoding the packet. A closed pipe (vrrpdump | head) ends quietly.

import { writeSync } from 'node:fs';

export class StdoutBuffer {
  private pending = '';

  constructor(private readonly fd = 1, private readonly highWater = 1 << 16) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.highWater) this.flush();
  }

  flush(): void {
    let data = Buffer.from(this.pending);
    this.pending = '';
    try {
      while (data.length > 0) {
        const written = writeSync(this.fd, data);
        data = data.subarray(written);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(0);
      if (code === 'EAGAIN') { flushBlocking(this.fd, data); return; }
      throw error;
    }
  }
}

/** A non-blocking stdout (a pipe set so by a parent) can refuse a write; retry until taken. */
function flushBlocking(fd: number, data: Buffer): void {
  for (let attempt = 0; data.length > 0 && attempt < 100000; attempt++) {
    try {
      data = data.subarray(writeSync(fd, data));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
