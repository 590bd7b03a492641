// keepalived.conf for the keepalived-ts tools: read (with includes, globs and
// $VARIABLES), typed (the VRRP side and the virtual servers), judged as `keepalived -t` judges it.

export { parseKeepalivedConfig, parseKeepalivedConfigText, memoryFileSystem, type ParseOptions, type ParseResult } from './config.js';
export { loadKeepalivedConfig, nodeFileSystem, systemEnvironment, systemInterfaceStatus, type LoadOptions } from './load.js';
export { checkScriptSecurity, unsafeComponent, type ScriptSecurityOptions } from './scriptSecurity.js';
export {
  ConfigError,
  ConfigTestStatus,
  configTestStatus,
  formatDiagnostic,
  formatLocation,
  type ConfigTestStatusCode,
  type Diagnostic,
  type DiagnosticKind,
  type Severity,
  type SourceLocation,
} from './diagnostics.js';
export type { ConfigEnvironment, InterfaceStatus } from './environment.js';
export type { ConfigFileSystem } from './include.js';
export type { EntryKind } from './glob.js';
export type { ConfigNode } from './parser.js';
export type { Word } from './lexer.js';
export { parseAccounts, readAccounts, type Accounts } from './accounts.js';
export { DEFAULT_GLOBAL_DEFS } from './globalDefs.js';
export { formatServer } from './virtualServer.js';
export { checkVirtualServerScripts } from './virtualServerScripts.js';
export type * from './model.js';
