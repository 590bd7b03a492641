import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputLine {
  readonly stream: OutputStream;
  readonly text: string;
  /** Milliseconds since the process was spawned. */
  readonly atMs: number;
}

export interface ExitStatus {
  /** Exit status; null when ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface WaitForLineOptions {
  readonly timeoutMs: number;
  /** Only look at this stream (default: both). */
  readonly stream?: OutputStream;
}

export interface StopOptions {
  /** After this long without exiting, the process gets SIGKILL. Default 5 s. */
  readonly timeoutMs?: number;
}

/** A long-running process: its PID, its output as lines, and a way to end it. */
export interface ProcessHandle {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Settles once, when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once known, else undefined. */
  exitStatus(): ExitStatus | undefined;
  /** Every line printed so far (the oldest are dropped past `maxLines`). */
  lines(stream?: OutputStream): readonly OutputLine[];
  /** The output so far as text, one line per line. */
  text(stream?: OutputStream): string;
  /**
   * Resolves with the first line (already printed or yet to come) that matches.
   * Rejects on timeout, or as soon as the process exits without printing one.
   */
  waitForLine(pattern: RegExp | string, options: WaitForLineOptions): Promise<OutputLine>;
  /** Sends a signal if the process still runs; returns whether one was sent. */
  signal(signal: NodeJS.Signals): boolean;
  /** Sends `signal` (default SIGTERM), escalates to SIGKILL after `timeoutMs`, resolves on exit. */
  stop(signal?: NodeJS.Signals, options?: StopOptions): Promise<ExitStatus>;
}

export interface SpawnOptions {
  /** Keep at most this many output lines (default 20 000). */
  readonly maxLines?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `argv` (no shell) with stdout and stderr collected line by line.
 * Resolves once the process is really running, so `pid` is always valid;
 * rejects if it could not be started (ENOENT, EACCES).
 */
export async function spawnProcess(argv: readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError('spawnProcess: empty argv');
  const maxLines = options.maxLines ?? 20_000;
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  const startedAt = Date.now();

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`spawnProcess: ${file} has no PID`);

  const lines: OutputLine[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(100);
  let status: ExitStatus | undefined;

  // Both streams must be drained to their end before 'close'; readline does that.
  const streamsDone = (['stdout', 'stderr'] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const reader = createInterface({ input: child[stream], crlfDelay: Infinity });
        reader.on('line', (text) => {
          const line: OutputLine = { stream, text, atMs: Date.now() - startedAt };
          lines.push(line);
          if (lines.length > maxLines) lines.shift();
          events.emit('line', line);
        });
        reader.on('close', resolve);
      }),
  );

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      // Output still in the pipes belongs to this run: wait for it (bounded,
      // as a grandchild holding the pipe open would otherwise block forever).
      const drained = Promise.all(streamsDone);
      const bound = new Promise<void>((r) => setTimeout(r, 1_000).unref());
      void Promise.race([drained, bound]).then(() => {
        status = { code, signal };
        events.emit('exit', status);
        resolve(status);
      });
    });
  });

  const select = (stream?: OutputStream): readonly OutputLine[] =>
    stream === undefined ? lines : lines.filter((line) => line.stream === stream);

  const matches = (pattern: RegExp | string, text: string): boolean =>
    typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);

  const handle: ProcessHandle = {
    pid,
    argv,
    exited,
    exitStatus: () => status,
    lines: select,
    text: (stream) =>
      select(stream)
        .map((line) => line.text)
        .join('\n'),
    waitForLine(pattern, { timeoutMs, stream }) {
      const wanted = (line: OutputLine): boolean =>
        (stream === undefined || line.stream === stream) && matches(pattern, line.text);
      const already = lines.find(wanted);
      if (already) return Promise.resolve(already);
      return new Promise<OutputLine>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('line', onLine);
          events.off('exit', onExit);
        };
        const tail = (): string => select(stream).slice(-15).map((line) => `  ${line.text}`).join('\n');
        const onLine = (line: OutputLine): void => {
          if (!wanted(line)) return;
          cleanup();
          resolve(line);
        };
        const onExit = (exit: ExitStatus): void => {
          cleanup();
          reject(new Error(`${argv.join(' ')} exited (${exit.code ?? exit.signal}) before printing ${String(pattern)}; last lines:\n${tail()}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} from ${argv.join(' ')}; last lines:\n${tail()}`));
        }, timeoutMs);
        events.on('line', onLine);
        if (status) onExit(status);
        else events.on('exit', onExit);
      });
    },
    signal(signal) {
      if (status !== undefined || child.exitCode !== null || child.signalCode !== null) return false;
      try {
        // By PID: only the process we started, never a name match.
        process.kill(pid, signal);
        return true;
      } catch {
        return false; // ESRCH: it exited between the check and the kill.
      }
    },
    async stop(signal = 'SIGTERM', { timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
      if (status) return status;
      handle.signal(signal);
      let timer: NodeJS.Timeout | undefined;
      const escalate = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, escalate]);
      clearTimeout(timer);
      if (first !== 'timeout') return first;
      handle.signal('SIGKILL');
      return exited;
    },
  };
  return handle;
}

/**
 * Whether process `pid` still runs. A zombie counts as gone: an orphan (such
 * as keepalived's VRRP child once its parent is killed) is reparented to PID 1,
 * which in some containers reaps late or never, so `kill(pid, 0)` would
 * report it alive.
 */
export async function isProcessRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself hold ") ".
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
