// Kernel refusals, and the words ipvsadm 1.31 uses for them (ipvs_strerror in
// libipvs/libipvs.c: the first entry matching the operation and errno wins,
// then glibc's strerror).

/** The libipvs functions, by what they do. */
export type IpvsOperation =
  | 'init'
  | 'addService'
  | 'editService'
  | 'deleteService'
  | 'zeroService'
  | 'addDest'
  | 'editDest'
  | 'deleteDest'
  | 'flush'
  | 'setTimeouts'
  | 'startDaemon'
  | 'stopDaemon'
  | 'getInfo'
  | 'getServices'
  | 'getService'
  | 'getDests'
  | 'getTimeouts'
  | 'getDaemons';

const TABLE: readonly (readonly [IpvsOperation | undefined, string, string])[] = [
  ['addService', 'EEXIST', 'Service already exists'],
  ['addService', 'ENOENT', 'Scheduler or persistence engine not found'],
  ['editService', 'ENOENT', 'Scheduler or persistence engine not found'],
  ['addDest', 'EEXIST', 'Destination already exists'],
  ['editDest', 'ENOENT', 'No such destination'],
  ['deleteDest', 'ENOENT', 'No such destination'],
  ['startDaemon', 'EEXIST', 'Daemon has already run'],
  ['stopDaemon', 'ESRCH', 'No daemon is running'],
  ['addDest', 'ESRCH', 'Service not defined'],
  ['editDest', 'ESRCH', 'Service not defined'],
  ['deleteDest', 'ESRCH', 'Service not defined'],
  ['getService', 'ENOENT', 'No such service'],
  [undefined, 'ESRCH', 'No such service'],
  [undefined, 'EPERM', 'Permission denied (you must be root)'],
  [undefined, 'EINVAL', 'Invalid operation.  Possibly wrong module version, address not unicast, ...'],
  [undefined, 'ENOPROTOOPT', 'Protocol not available'],
  [undefined, 'ENOMEM', 'Memory allocation problem'],
  [undefined, 'EOPNOTSUPP', 'Operation not supported with IPv6'],
  [undefined, 'EAFNOSUPPORT', 'Operation not supported with specified address family'],
  [undefined, 'EMSGSIZE', 'Module is wrong version'],
];

/** glibc's strerror texts for the errnos the IPVS code returns. */
const STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EIO: 'Input/output error',
  E2BIG: 'Argument list too long',
  ENOMEM: 'Cannot allocate memory',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ERANGE: 'Numerical result out of range',
  ENOBUFS: 'No buffer space available',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
  EAGAIN: 'Resource temporarily unavailable',
};

export function ipvsStrerror(operation: IpvsOperation, errno: string): string {
  for (const [op, err, message] of TABLE) if ((op === undefined || op === operation) && err === errno) return message;
  return STRERROR[errno] ?? `Unknown error (${errno})`;
}

/** A request the kernel (or this library) refused; `message` is ipvsadm's text for it. */
export class IpvsError extends Error {
  override readonly name = 'IpvsError';
  constructor(
    readonly operation: IpvsOperation,
    readonly errno: string,
    options?: { readonly cause?: unknown },
  ) {
    super(ipvsStrerror(operation, errno), options);
  }
}
