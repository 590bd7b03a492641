// SIGHUP: a reload keeps the state of what did not change (a real server
// down stays down, one up stays in IPVS untouched), adds what is new,
// removes what is gone, and a broken file keeps the running configuration.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { lbLab, service, skip, startHcheck, tcpRealServer, tcpServer } from './hcheckLab.js';

describe('hcheck -f: SIGHUP', { skip }, () => {
  it('keeps unchanged real servers as they are, adds new ones and removes dropped ones', async () => {
    await withLab(uniquePrefix('hchup'), async (lab) => {
      const env = await lbLab(lab, 86, 3);
      const [a, b, c] = [`${env.net}.2`, `${env.net}.3`, `${env.net}.4`];
      const vs = `[${env.net}.100]:tcp:80`;
      const vip = `${env.net}.100:80`;
      await tcpServer(env, a, 80);
      await tcpServer(env, c, 80);
      // b has no listener: it goes down.
      const config = (servers: string[]): string => service(`${env.net}.100 80`, servers.map((address) => tcpRealServer(address, 80)).join(''));
      const hcheck = await startHcheck(env, config([a, b]));
      await hcheck.log(`Removing service [${b}]:tcp:80 from VS ${vs}`);
      await hcheck.command(`ipvsadm -d -t ${vip} -r ${b}:80`);
      await hcheck.log(`TCP connection to [${a}]:tcp:80 success.`);
      const before = { ipvsadm: hcheck.ipvsadm().length, events: (await hcheck.events()).length };

      await writeFile(hcheck.configFile, config([a, b, c]));
      hcheck.process.signal('SIGHUP');
      await hcheck.log('Reloading');
      await hcheck.command(`ipvsadm -a -t ${vip} -r ${c}:80 -g -w 1`);
      // Two delay loops later: nothing about a or b, which did not change.
      await sleep(2_200);
      assert.deepEqual(hcheck.ipvsadm().slice(before.ipvsadm), [`ipvsadm -a -t ${vip} -r ${c}:80 -g -w 1`]);
      const later = (await hcheck.events()).slice(before.events);
      assert.deepEqual(later.map((e) => [e['realServer'], e['from'], e['to']]), [[`[${c}]:tcp:80`, 'init', 'up']]);
      const stderr = hcheck.process.text('stderr');
      assert.equal(stderr.split(`Adding service [${b}]:tcp:80`).length, 1, stderr);
      assert.equal(stderr.split(`Activating healthchecker for service [${a}]:tcp:80`).length, 2, 'a keeps its checker and schedule');

      // A broken file: the running configuration stays.
      await writeFile(hcheck.configFile, `${config([a])}virtual_server 10.0.0.1 80 {\n`);
      hcheck.process.signal('SIGHUP');
      await hcheck.log(/Reload failed, keeping the running configuration: .*unbalanced/);

      await writeFile(hcheck.configFile, config([b, c]));
      hcheck.process.signal('SIGHUP');
      await hcheck.log(`service [${a}]:tcp:80 no longer exist`);
      await hcheck.log(`Removing service [${a}]:tcp:80 from VS ${vs}`);
      await hcheck.command(`ipvsadm -d -t ${vip} -r ${a}:80`);
      assert.deepEqual(await hcheck.process.stop('SIGTERM'), { code: 0, signal: null });
    });
  });
});
