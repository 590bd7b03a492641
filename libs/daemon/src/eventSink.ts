// Events as JSON Lines (one object per line) on --events PATH: a file
// (appended), a FIFO (opened without blocking the daemon while no reader is
// there), or - for stdout. vrrpd writes its transitions here and `vipctl
// apply` reads them; hcheck writes real server and quorum changes.

import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';

export interface EventSink<Event> {
  write(event: Event): void;
  close(): void;
}

export function openEventSink<Event>(path: string, onError: (message: string) => void): EventSink<Event> {
  if (path === '-') return fdSink(1, false, onError);
  let isFifo = false;
  try {
    isFifo = statSync(path).isFIFO();
  } catch {
    // Does not exist yet: a plain file is created.
  }
  // A FIFO without a reader would block open(); O_RDWR never blocks on Linux and keeps it open for readers that come later.
  const fd = isFifo ? openSync(path, constants.O_RDWR | constants.O_NONBLOCK) : openSync(path, 'a');
  return fdSink(fd, true, onError);
}

function fdSink<Event>(fd: number, owned: boolean, onError: (message: string) => void): EventSink<Event> {
  return {
    write(event) {
      try {
        writeSync(fd, JSON.stringify(event) + '\n');
      } catch (error) {
        // A full FIFO (no reader keeping up) or a closed pipe must not stop the daemon.
        onError(`events: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: event dropped`);
      }
    },
    close() {
      if (owned) closeSync(fd);
    },
  };
}
