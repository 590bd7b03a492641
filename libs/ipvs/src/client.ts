// The IPVS generic netlink family over the `netlink` package's generic
// netlink socket (loaded through libs/netlink): one request at a time, each
// answered or refused with ipvsadm's words for the refusal.

import { errnoOf, loadNetlink } from '@keepalived-ts/netlink';
import { IPVS_CMD, IPVS_GENL_NAME, IPVS_GENL_VERSION } from './constants.js';
import { IpvsError, type IpvsOperation } from './errors.js';
import {
  buildDaemon,
  buildDest,
  buildService,
  buildServiceKey,
  buildTimeouts,
  decodeDaemon,
  decodeDest,
  decodeInfo,
  decodeService,
  decodeTimeouts,
} from './messages.js';
import type { DaemonSpec, Dest, DestSpec, Info, Service, ServiceKey, ServiceSpec, Timeouts } from './types.js';

/** NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH). */
const NLM_F_DUMP = 0x300;
const REQUEST_TIMEOUT_MS = 10_000;

type GenlSocket = ReturnType<ReturnType<typeof loadNetlink>['createGenericNetlink']>;

export class Ipvs {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly socket: GenlSocket,
    /** The family id the kernel gave IPVS. */
    readonly family: number,
  ) {}

  /** Opens a socket and resolves the IPVS family; IpvsError('init', 'ENOPROTOOPT') when the kernel has none. */
  static async open(): Promise<Ipvs> {
    const netlink = loadNetlink();
    const socket = netlink.createGenericNetlink({ ref: false } as Parameters<typeof netlink.createGenericNetlink>[0]);
    socket.socket.on('error', () => undefined);
    try {
      const [family] = await socket.ctrlRequest(netlink.genl.Commands.GET_FAMILY, { familyName: IPVS_GENL_NAME }, { timeout: REQUEST_TIMEOUT_MS });
      if (family?.familyId === undefined) throw new IpvsError('init', 'ENOPROTOOPT');
      return new Ipvs(socket, family.familyId);
    } catch (error) {
      socket.socket.close();
      if (error instanceof IpvsError) throw error;
      const errno = errnoOf(error);
      throw new IpvsError('init', errno === 'ENOENT' ? 'ENOPROTOOPT' : errno, { cause: error });
    }
  }

  close(): void {
    this.socket.socket.close();
  }

  private request(operation: IpvsOperation, cmd: number, payload: Buffer[], dump = false): Promise<Buffer[]> {
    const run = async (): Promise<Buffer[]> => {
      try {
        const [messages] = await this.socket.request(this.family, cmd, IPVS_GENL_VERSION, payload, {
          ...(dump ? { flags: NLM_F_DUMP } : {}),
          timeout: REQUEST_TIMEOUT_MS,
        });
        return messages.map((m) => m.data);
      } catch (error) {
        throw new IpvsError(operation, errnoOf(error), { cause: error });
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async info(): Promise<Info> {
    const [reply] = await this.request('getInfo', IPVS_CMD.GET_INFO, []);
    return decodeInfo(reply ?? Buffer.alloc(0));
  }

  /** Every service, in the kernel's order. */
  async services(): Promise<Service[]> {
    const replies = await this.request('getServices', IPVS_CMD.GET_SERVICE, [], true);
    return replies.map(decodeService).filter((s): s is Service => s !== undefined);
  }

  /** One service; IpvsError 'No such service' when there is none. */
  async service(key: ServiceKey): Promise<Service> {
    const [reply] = await this.request('getService', IPVS_CMD.GET_SERVICE, buildServiceKey(key));
    const svc = reply && decodeService(reply);
    if (!svc) throw new IpvsError('getService', 'ESRCH');
    return svc;
  }

  async dests(key: ServiceKey): Promise<Dest[]> {
    const replies = await this.request('getDests', IPVS_CMD.GET_DEST, buildServiceKey(key), true);
    return replies.map((r) => decodeDest(r, key.af)).filter((d): d is Dest => d !== undefined);
  }

  async addService(svc: ServiceSpec): Promise<void> {
    await this.request('addService', IPVS_CMD.NEW_SERVICE, buildService(svc));
  }
  async editService(svc: ServiceSpec): Promise<void> {
    await this.request('editService', IPVS_CMD.SET_SERVICE, buildService(svc));
  }
  async deleteService(key: ServiceKey): Promise<void> {
    await this.request('deleteService', IPVS_CMD.DEL_SERVICE, buildServiceKey(key));
  }
  async addDest(key: ServiceKey, dest: DestSpec): Promise<void> {
    await this.request('addDest', IPVS_CMD.NEW_DEST, buildDest(key, dest));
  }
  async editDest(key: ServiceKey, dest: DestSpec): Promise<void> {
    await this.request('editDest', IPVS_CMD.SET_DEST, buildDest(key, dest));
  }
  async deleteDest(key: ServiceKey, dest: DestSpec): Promise<void> {
    await this.request('deleteDest', IPVS_CMD.DEL_DEST, buildDest(key, dest, false));
  }
  async flush(): Promise<void> {
    await this.request('flush', IPVS_CMD.FLUSH, []);
  }
  /** Zeroes one service's counters, or every service's. */
  async zero(key?: ServiceKey): Promise<void> {
    await this.request('zeroService', IPVS_CMD.ZERO, key ? buildServiceKey(key) : []);
  }
  async timeouts(): Promise<Timeouts> {
    const [reply] = await this.request('getTimeouts', IPVS_CMD.GET_CONFIG, []);
    return decodeTimeouts(reply ?? Buffer.alloc(0));
  }
  async setTimeouts(t: Timeouts): Promise<void> {
    await this.request('setTimeouts', IPVS_CMD.SET_CONFIG, buildTimeouts(t));
  }
  async daemons(): Promise<DaemonSpec[]> {
    const replies = await this.request('getDaemons', IPVS_CMD.GET_DAEMON, [], true);
    return replies.map(decodeDaemon).filter((d): d is DaemonSpec => d !== undefined);
  }
  async startDaemon(d: DaemonSpec): Promise<void> {
    await this.request('startDaemon', IPVS_CMD.NEW_DAEMON, buildDaemon(d));
  }
  async stopDaemon(d: Pick<DaemonSpec, 'state'>): Promise<void> {
    await this.request('stopDaemon', IPVS_CMD.DEL_DAEMON, buildDaemon({ state: d.state, mcastIfn: '', syncId: 0 }, false));
  }
}
