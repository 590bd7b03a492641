// What the long-running tools (vrrpd, hcheck -f) share: log lines in
// keepalived's words with journal priorities, JSON Lines event sinks, and
// scripts run as keepalived runs them.

export { daemonLog, stderrIsJournal, type DaemonLog, type LogLevel } from './daemonLog.js';
export { openEventSink, type EventSink } from './eventSink.js';
export { resolveScriptUser, runScript, type RunScriptOptions, type ScriptResult, type ScriptUser } from './scriptRunner.js';
