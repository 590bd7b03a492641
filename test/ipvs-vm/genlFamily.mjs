// Prints, as one JSON line, the generic netlink family named on the command
// line (default IPVS) as the kernel reports it, through the `netlink` npm
// package that libs/netlink uses. Plain JavaScript, so that node starts it
// without tsx inside the slow guest. Exit 1 if the kernel has no such family.
import { createRequire } from 'node:module';

// `netlink` is a dependency of libs/netlink, not of this package: resolve it from there.
const require = createRequire(new URL('../../libs/netlink/package.json', import.meta.url));
const { createGenericNetlink, genl } = require('netlink');

const name = process.argv[2] ?? 'IPVS';
const socket = createGenericNetlink();
try {
  const [family] = await socket.ctrlRequest(genl.Commands.GET_FAMILY, { familyName: name });
  if (family === undefined) throw new Error('empty reply');
  const { familyId: id, familyName, version, maxattr } = family;
  console.log(JSON.stringify({ id, name: familyName, version, maxattr }));
} catch (error) {
  console.error(`genlFamily: ${name}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  socket.socket.close();
}
