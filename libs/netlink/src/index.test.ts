import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const INDEX = new URL('./index.ts', import.meta.url).href;
const TSX = import.meta.resolve('tsx');

describe('@keepalived-ts/netlink', () => {
  it('loads no native code until openRtnetlink() is called', () => {
    // Every module the process has loaded, after importing the library (and after opening it, for contrast).
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/netlink@')).length;
      const lib = await import(${JSON.stringify(INDEX)});
      const before = loaded();
      (await lib.openRtnetlink()).close();
      console.log(JSON.stringify({ before, after: loaded(), proto: lib.OWNER_PROTO }));`;
    const child = spawnSync(process.execPath, ['--import', TSX, '--conditions=source', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    const { before, after, proto } = JSON.parse(child.stdout) as { before: number; after: number; proto: number };
    assert.equal(before, 0);
    assert.ok(after > 0, 'openRtnetlink() loads the netlink package');
    assert.equal(proto, 112);
  });
});
