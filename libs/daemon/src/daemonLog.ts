// Log lines on stderr in the words keepalived uses, so that what operators
// grep for (`Entering MASTER STATE`) is found. Under systemd, stderr is the
// journal: each line then starts with a syslog priority (<6> info) that
// journald reads as the line's level (sd-daemon(3)).

import { fstatSync } from 'node:fs';

export type LogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';
const PRIORITY: Readonly<Record<LogLevel, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };

/** True when stderr is the journal's stream: $JOURNAL_STREAM names its device and inode. */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const stream = env['JOURNAL_STREAM'];
  if (!stream) return false;
  const [device, inode] = stream.split(':');
  try {
    const stat = fstatSync(2);
    return String(stat.dev) === device && String(stat.ino) === inode;
  } catch {
    return false;
  }
}

export interface DaemonLog {
  (level: LogLevel, message: string): void;
}

export function daemonLog(detail: boolean, write: (line: string) => void = (line) => process.stderr.write(line), journal = stderrIsJournal()): DaemonLog {
  return (level, message) => {
    if (level === 'debug' && !detail) return;
    write(journal ? `<${PRIORITY[level]}>${message}\n` : `${message}\n`);
  };
}
