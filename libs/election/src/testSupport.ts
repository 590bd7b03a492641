// Helpers for this lib's tests: short specs and readable views of actions.

import { withDefaults, type PartialInstanceSpec } from './defaults.js';
import type { ElectionAction, InstanceSpec } from './types.js';

/** VI_1 on 10.0.0.1, VRID 51, keepalived defaults for the rest. */
export function spec(overrides: Partial<PartialInstanceSpec> = {}): InstanceSpec {
  return withDefaults({ name: 'VI_1', vrid: 51, primaryAddress: '10.0.0.1', ...overrides });
}

/** Each action as one short line: "send-advert VI_1 100", "set-timer VI_1 masterDown 3609", "log (VI_1) ...". */
export function describe(action: ElectionAction): string {
  switch (action.kind) {
    case 'send-advert':
      return `send-advert ${action.instance} ${action.priority}`;
    case 'add-vips':
    case 'remove-vips':
      return `${action.kind} ${action.instance}`;
    case 'announce':
      return `announce ${action.instance} ${action.count}`;
    case 'set-timer':
      return `set-timer ${action.instance} ${action.timer} ${action.at}`;
    case 'cancel-timer':
      return `cancel-timer ${action.instance} ${action.timer}`;
    case 'transition':
      return `transition ${action.instance} ${action.from}->${action.to} ${action.priority} ${action.reason}`;
    case 'log':
      return `log${action.detail ? '(detail)' : ''} ${action.message}`;
  }
}

export const lines = (actions: readonly ElectionAction[]): string[] => actions.map(describe);

/** The lines without the detail logs, which most tests do not care about. */
export const mainLines = (actions: readonly ElectionAction[]): string[] =>
  actions.filter((a) => !(a.kind === 'log' && a.detail)).map(describe);

export const advert = (from: string, priority: number, intervalCs = 100) =>
  ({ kind: 'advert', instance: 'VI_1', from, priority, intervalCs }) as const;

export const timer = (name: 'advert' | 'masterDown' | 'preemptDelay' | 'garpDelay' | 'garpRefresh' | 'garpLowerPrioDelay', instance = 'VI_1') =>
  ({ kind: 'timer', instance, timer: name }) as const;
