// What keepalived looks up on the host while it reads its configuration
// (users, groups, interfaces). The pure reader asks through this; leaving a
// lookup out skips the checks that need it.

import type { DiagnosticSink } from './diagnostics.js';

export type InterfaceStatus = 'present' | 'missing' | 'loopback';

export interface ConfigEnvironment {
  readonly userExists?: (name: string) => boolean;
  readonly groupExists?: (name: string) => boolean;
  readonly interfaceStatus?: (name: string) => InterfaceStatus;
}

export interface BuildContext {
  readonly diagnostics: DiagnosticSink;
  readonly environment: ConfigEnvironment;
}
