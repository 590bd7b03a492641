// The diagnostics must judge a configuration as real keepalived does:
// configTestStatus() against `keepalived -t -f FILE` (Debian 12: 2.2.7) on
// temp files made here. keepalived -t only parses; it starts nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkScriptSecurity, configTestStatus, formatDiagnostic, loadKeepalivedConfig, type Diagnostic } from './index.js';

const keepalived = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const isRoot = process.getuid?.() === 0;
const skip = keepalived.error ? 'keepalived is not installed' : !isRoot ? 'keepalived -t and the script checks need root' : false;

/** A non-loopback interface of this host, so instances are otherwise valid. */
function hostInterface(): string | undefined {
  try {
    return readdirSync('/sys/class/net').find((name) => readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim() === '1' && name.length < 16);
  } catch {
    return undefined;
  }
}

describe('agreement with keepalived -t', { skip }, () => {
  const ifname = hostInterface() ?? 'eth0';
  const root = mkdtempSync(join(tmpdir(), 'kts-config-parity-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;

  function judge(text: string): { ours: number; theirs: number; diagnostics: Diagnostic[]; output: string } {
    const file = join(root, `case${++count}.conf`);
    writeFileSync(file, text);
    const run = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const { config, diagnostics } = loadKeepalivedConfig(file);
    const all = [...diagnostics, ...checkScriptSecurity(config)];
    return { ours: configTestStatus(all), theirs: run.status ?? -1, diagnostics: all, output: `${run.stdout}${run.stderr}` };
  }

  const instance = (extra = ''): string =>
    `vrrp_instance VI_1 {\n  state BACKUP\n  interface ${ifname}\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.0.0.1\n  }\n${extra}\n}\n`;

  const agree = (text: string, expected: number): Diagnostic[] => {
    const result = judge(text);
    const detail = `keepalived said:\n${result.output}\nwe said:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`;
    assert.equal(result.theirs, expected, detail);
    assert.equal(result.ours, expected, detail);
    return result.diagnostics;
  };

  it('a clean file: 0', () => {
    assert.deepEqual(agree(instance(), 0), []);
  });

  it('an unknown keyword: 5', () => {
    const diagnostics = agree(instance('  bogus_keyword 1'), 5);
    assert.deepEqual(diagnostics.map((d) => d.message), ["unknown keyword 'bogus_keyword'"]);
  });

  it('a value out of range: 5', () => {
    agree(instance('  priority 300'), 5);
    agree(`global_defs {\n  vrrp_garp_interval 0\n}\n${instance()}`, 5);
  });

  it('an include that matches nothing: 0 (keepalived only logs it)', () => {
    const diagnostics = agree(`include ${root}/nothing-here/*.conf\n${instance()}`, 0);
    assert.equal(diagnostics.length, 1);
  });

  it('a keyword without its parameter: keepalived stops at once, 2', () => {
    agree(`global_defs {\n  router_id A\n  vrrp_version\n}\n${instance()}`, 2);
  });

  it('scripts run as root without enable_script_security: 6', () => {
    const dir = join(root, 'safe');
    mkdirSync(dir, { mode: 0o755 });
    const script = join(dir, 'check.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const diagnostics = agree(`global_defs {\n  script_user root\n}\nvrrp_script chk {\n  script "${script}"\n}\n${instance('  track_script {\n    chk\n  }')}`, 6);
    assert.match(diagnostics.at(-1)!.message, /^SECURITY VIOLATION - scripts are being executed but script_security not enabled\.$/);
  });

  it('enable_script_security with a script below a world-writable directory: the script is disabled, 5', () => {
    const dir = join(root, 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const script = join(dir, 'check.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const diagnostics = agree(
      `global_defs {\n  script_user root\n  enable_script_security\n}\nvrrp_script chk {\n  script "${script}"\n}\n${instance('  track_script {\n    chk\n  }')}`,
      5,
    );
    assert.match(diagnostics[0]!.message, new RegExp(`^Disabling track script chk due to insecure: ${dir} is writable by everyone$`));
  });

  it('enable_script_security with an insecure notify script: keepalived only logs and drops it, 0', () => {
    const script = join(root, 'open', 'check.sh');
    const diagnostics = agree(`global_defs {\n  script_user root\n  enable_script_security\n}\n${instance(`  notify_master "${script} master"`)}`, 0);
    assert.deepEqual(diagnostics.map((d) => d.kind), ['logged']);
  });

  it('enable_script_security with a safe script: 0', () => {
    const script = join(root, 'safe', 'check.sh');
    agree(`global_defs {\n  script_user root\n  enable_script_security\n}\nvrrp_script chk {\n  script "${script}"\n}\n${instance('  track_script {\n    chk\n  }')}`, 0);
  });

  it('vrrp_strict corrections on lvs-default-like settings: 5', () => {
    agree(`global_defs {\n  vrrp_strict\n}\n${instance('  authentication {\n    auth_type PASS\n    auth_pass 1111\n  }').replace('BACKUP', 'MASTER')}`, 5);
  });
});
