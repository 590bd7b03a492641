// Quorum, hysteresis and the sorry server against real listeners: when the
// alive weight falls below quorum - hysteresis the sorry server replaces the
// real servers; it leaves only when quorum + hysteresis is back.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { lbLab, service, skip, startHcheck, tcpRealServer, tcpServer } from './hcheckLab.js';

describe('hcheck -f: quorum and sorry_server', { skip }, () => {
  it('adds the sorry server when the quorum is lost and removes it when it is regained, with hysteresis', async () => {
    await withLab(uniquePrefix('hcquo'), async (lab) => {
      const env = await lbLab(lab, 83, 1);
      const rs = `${env.net}.2`;
      const vs = `[${env.net}.100]:tcp:80`;
      const vip = `${env.net}.100:80`;
      const ports = [8001, 8002, 8003];
      const servers = await Promise.all(ports.map((port) => tcpServer(env, rs, port)));
      const body = ports.map((port) => tcpRealServer(rs, port)).join('');
      const hcheck = await startHcheck(env, service(`${env.net}.100 80`, body, `    quorum 2\n    hysteresis 1\n    sorry_server ${env.net}.9 80\n`));
      await hcheck.log(`Gained quorum 2+1=3 <= 3 for VS ${vs}`);

      // 2 and then 1 alive: still at least quorum - hysteresis = 1.
      await servers[0]!.stop('SIGKILL');
      await hcheck.log(`Removing service [${rs}]:tcp:8001 from VS ${vs}`);
      await servers[1]!.stop('SIGKILL');
      await hcheck.log(`Removing service [${rs}]:tcp:8002 from VS ${vs}`);
      await servers[2]!.stop('SIGKILL');
      await hcheck.log(`Lost quorum 2-1=1 > 0 for VS ${vs}`);
      await hcheck.log(`Adding sorry server [${env.net}.9]:tcp:80 to VS ${vs}`);
      await hcheck.command(`ipvsadm -a -t ${vip} -r ${env.net}.9:80 -g -w 1`);
      const withSorry = hcheck.ipvsadm().length;

      // Two back (2 >= quorum, but < quorum + hysteresis): the sorry server stays and IPVS is not touched.
      await tcpServer(env, rs, 8001);
      await tcpServer(env, rs, 8002);
      await hcheck.log(`Adding service [${rs}]:tcp:8001 to VS ${vs}`);
      await hcheck.log(`Adding service [${rs}]:tcp:8002 to VS ${vs}`);
      assert.deepEqual(hcheck.ipvsadm().slice(withSorry), []);
      assert.ok(!hcheck.process.text('stderr').includes('Gained quorum 2+1=3 <= 2'));

      await tcpServer(env, rs, 8003);
      await hcheck.log(`Gained quorum 2+1=3 <= 3 for VS ${vs}`);
      await hcheck.log(`Removing sorry server [${env.net}.9]:tcp:80 from VS ${vs}`);
      await hcheck.command(`ipvsadm -d -t ${vip} -r ${env.net}.9:80`);
      await hcheck.command(`ipvsadm -a -t ${vip} -r ${rs}:8003 -g -w 1`);
      const tail = hcheck.ipvsadm().slice(-4);
      assert.deepEqual(tail, [`ipvsadm -d -t ${vip} -r ${env.net}.9:80`, `ipvsadm -a -t ${vip} -r ${rs}:8001 -g -w 1`, `ipvsadm -a -t ${vip} -r ${rs}:8002 -g -w 1`, `ipvsadm -a -t ${vip} -r ${rs}:8003 -g -w 1`]);

      const quorum = (await hcheck.events()).filter((e) => e['event'] === 'quorum');
      assert.deepEqual(quorum.map((e) => [e['from'], e['to'], e['reason'], e['weight']]), [
        ['init', 'up', 'Gained quorum 2+1=3 <= 3', 3],
        ['up', 'down', 'Lost quorum 2-1=1 > 0', 0],
        ['down', 'up', 'Gained quorum 2+1=3 <= 3', 3],
      ]);
      assert.deepEqual(await hcheck.process.stop('SIGTERM'), { code: 0, signal: null });
    });
  });
});
