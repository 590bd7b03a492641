// contrib/systemd, judged by systemd-analyze verify (Debian's systemd):
// syntax, directives, and that every command a unit runs exists. The units
// name /usr/local/bin and /etc/keepalived; the copies checked here point at
// this checkout's commands and an example configuration instead.

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@keepalived-ts/test-utils';

const root = fileURLToPath(new URL('../../', import.meta.url));
const contrib = join(root, 'contrib/systemd');
const example = fileURLToPath(new URL('../../../shared/examples/basic-master.conf', import.meta.url));
let dir = '';

async function localise(path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  await writeFile(
    path,
    text
      .replaceAll('/usr/local/bin/vrrpd', join(root, 'tools/vrrpd/bin/vrrpd.js'))
      .replaceAll('/usr/local/bin/vipctl', join(root, 'tools/vipctl/bin/vipctl.js'))
      .replaceAll('/etc/keepalived/keepalived.conf', example),
  );
}

const verify = (unit: string) => runCommand(['systemd-analyze', 'verify', '--man=no', unit], { timeoutMs: 60_000 });

describe('systemd units', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-units-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('vrrpd.service passes systemd-analyze verify', async () => {
    const unitDir = join(dir, 'plain');
    await cp(join(contrib, 'vrrpd.service'), join(unitDir, 'vrrpd.service'), { recursive: true });
    await localise(join(unitDir, 'vrrpd.service'));
    const result = await verify(join(unitDir, 'vrrpd.service'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr.trim(), '');
    const text = await readFile(join(contrib, 'vrrpd.service'), 'utf8');
    assert.match(text, /^ExecStartPre=\/usr\/local\/bin\/vrrpd -t /m, 'the config is tested before start');
    assert.match(text, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m, 'reload is SIGHUP');
    assert.match(text, /^KillSignal=SIGTERM$/m, 'stop is SIGTERM, so the priority-0 advert goes out');
  });

  it('with the vipctl drop-in (vrrpd --no-vip | vipctl apply) it still passes', async () => {
    const unitDir = join(dir, 'composed');
    await cp(contrib, unitDir, { recursive: true });
    await localise(join(unitDir, 'vrrpd.service'));
    for (const name of await readdir(join(unitDir, 'vrrpd.service.d'))) await localise(join(unitDir, 'vrrpd.service.d', name));
    const result = await verify(join(unitDir, 'vrrpd.service'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr.trim(), '');
  });

  it('the judge can fail: a unit naming a missing command is refused', async () => {
    const unitDir = join(dir, 'broken');
    await cp(join(contrib, 'vrrpd.service'), join(unitDir, 'vrrpd.service'));
    const text = (await readFile(join(unitDir, 'vrrpd.service'), 'utf8')).replaceAll('/usr/local/bin/vrrpd', '/nonexistent/vrrpd');
    await writeFile(join(unitDir, 'vrrpd.service'), text);
    const result = await verify(join(unitDir, 'vrrpd.service'));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /nonexistent\/vrrpd/);
  });
});
