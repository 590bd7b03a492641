export { CommandError, DEFAULT_COMMAND_TIMEOUT_MS, runCommand, type CommandResult, type RunOptions } from './command.js';
export {
  startKeepalived,
  stripLogDate,
  type KeepalivedHandle,
  type StartKeepalivedOptions,
  type VrrpState,
} from './keepalived.js';
export { Lab, SWITCH_BRIDGE, withLab, type ConnectOptions, type PlugOptions, type VethLink } from './lab.js';
export { listNamespaces } from './netns.js';
export { IFNAMSIZ_MAX, MAX_TAG_LENGTH, NAME_STEM, assertInterfaceName, uniquePrefix } from './names.js';
export {
  DEFAULT_STOP_TIMEOUT_MS,
  isProcessRunning,
  spawnProcess,
  type ExitStatus,
  type OutputLine,
  type OutputStream,
  type ProcessHandle,
  type SpawnOptions,
  type StopOptions,
  type WaitForLineOptions,
} from './process.js';
export {
  readPcapText,
  startTcpdump,
  VRRP_FILTER,
  type CaptureStats,
  type StartTcpdumpOptions,
  type TcpdumpHandle,
} from './tcpdump.js';
export { WaitTimeoutError, waitFor, type WaitForOptions } from './waitFor.js';
