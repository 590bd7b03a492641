// Transitions as JSON Lines (one object per line) on --events PATH: a file
// (appended), a FIFO (opened without blocking the daemon while no reader is
// there), or - for stdout. Consumers such as `vipctl apply` read it.

import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';

export interface TransitionEvent {
  readonly time: string;
  readonly instance: string;
  readonly vrid: number;
  readonly interface: string;
  readonly from: string;
  readonly to: string;
  readonly priority: number;
  readonly reason: string;
  readonly vips: readonly string[];
  /** Where each VIP goes, for consumers that add them (vipctl apply): dev defaults to `interface`. */
  readonly vipDetails: readonly { readonly address: string; readonly dev: string; readonly label?: string; readonly broadcast?: string; readonly scope?: string }[];
}

export interface EventSink {
  write(event: TransitionEvent): void;
  close(): void;
}

export function openEventSink(path: string, onError: (message: string) => void): EventSink {
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

function fdSink(fd: number, owned: boolean, onError: (message: string) => void): EventSink {
  return {
    write(event) {
      try {
        writeSync(fd, JSON.stringify(event) + '\n');
      } catch (error) {
        // A full FIFO (no reader keeping up) or a closed pipe must not stop the election.
        onError(`events: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: event dropped`);
      }
    },
    close() {
      if (owned) closeSync(fd);
    },
  };
}
