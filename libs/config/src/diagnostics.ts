// Where things are in the configuration, what went wrong with them, and how
// `keepalived -t` would judge it.

export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, counted in characters (UTF-16 units) of the original line. */
  readonly column: number;
}

export type Severity = 'warning' | 'error';

/**
 * How keepalived 2.2.7 itself treats the same finding, which decides the exit
 * status of `keepalived -t` (lib/parser.h config_err_t, main.c config_test_exit):
 * - `logged`: keepalived only logs it; `-t` is unaffected.
 * - `config`: report_config_error with a "keepalived still runs" code; `-t` exits 5.
 * - `fatal`: file not found, bad interface, fatal; `-t` exits 4 unless a `config` one is also present.
 * - `security`: scripts run as root without enable_script_security; `-t` exits 6.
 * - `abort`: a keyword lacks its parameter; keepalived stops reading at once and `-t` exits 2.
 */
export type DiagnosticKind = 'logged' | 'config' | 'fatal' | 'security' | 'abort';

export interface Diagnostic {
  readonly severity: Severity;
  readonly kind: DiagnosticKind;
  readonly location: SourceLocation | undefined;
  readonly message: string;
  /** Set by the script-security check on a script that must not run: the daemon leaves it out. */
  readonly disablesScript?: { readonly kind: 'vrrp_script' | 'notify'; readonly owner: string; readonly keyword: string };
}

export const formatLocation = (location: SourceLocation, withColumn = true): string =>
  withColumn ? `${location.file}:${location.line}:${location.column}` : `${location.file}:${location.line}`;

/** `FILE:LINE: message`, the form keepalived operators grep for (keepalived prints `(FILE: Line N) message`). */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  return diagnostic.location ? `${formatLocation(diagnostic.location, false)}: ${diagnostic.message}` : diagnostic.message;
}

/** Syntax that cannot be read at all: the whole load fails. */
export class ConfigError extends Error {
  readonly location: SourceLocation;
  readonly reason: string;

  constructor(location: SourceLocation, reason: string) {
    super(`${formatLocation(location)}: ${reason}`);
    this.name = 'ConfigError';
    this.location = location;
    this.reason = reason;
  }
}

/** `keepalived -t` exit statuses (keepalived's enum exit_code in 2.2.x). */
export const ConfigTestStatus = { ok: 0, aborted: 2, fatal: 4, problems: 5, security: 6 } as const;
export type ConfigTestStatusCode = (typeof ConfigTestStatus)[keyof typeof ConfigTestStatus];

/**
 * The status `keepalived -t` would exit with. keepalived keeps the highest
 * config_err_t reported, and in its enum the security error sorts last and the
 * "cannot run" codes first, so security beats everything and any ordinary
 * problem beats a fatal one. A missing parameter makes keepalived exit before
 * anything else is judged.
 */
export function configTestStatus(diagnostics: readonly Diagnostic[]): ConfigTestStatusCode {
  const kinds = new Set(diagnostics.map((d) => d.kind));
  if (kinds.has('abort')) return ConfigTestStatus.aborted;
  if (kinds.has('security')) return ConfigTestStatus.security;
  if (kinds.has('config')) return ConfigTestStatus.problems;
  if (kinds.has('fatal')) return ConfigTestStatus.fatal;
  return ConfigTestStatus.ok;
}

/** Collects diagnostics while a configuration is read; one per load. */
export class DiagnosticSink {
  readonly #items: Diagnostic[] = [];

  get items(): readonly Diagnostic[] {
    return this.#items;
  }

  add(diagnostic: Diagnostic): void {
    this.#items.push(diagnostic);
  }

  /** A problem keepalived reports and works around (default used, item dropped): `-t` exits 5. */
  warn(location: SourceLocation | undefined, message: string): void {
    this.add({ severity: 'warning', kind: 'config', location, message });
  }

  /** A problem that makes keepalived drop a whole instance or script: still `-t` 5. */
  error(location: SourceLocation | undefined, message: string): void {
    this.add({ severity: 'error', kind: 'config', location, message });
  }

  /** Something keepalived only logs; `-t` stays 0. */
  note(location: SourceLocation | undefined, message: string): void {
    this.add({ severity: 'warning', kind: 'logged', location, message });
  }
}
