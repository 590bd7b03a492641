// Numbers from RFC 3768 (VRRPv2) and RFC 5798 (VRRPv3).

export const IPPROTO_VRRP = 112;
export const VRRP_TTL = 255;
export const VRRP_TYPE_ADVERTISEMENT = 1;
export const VRRP_MULTICAST_IPV4 = '224.0.0.18';
export const VRRP_MULTICAST_IPV6 = 'ff02::12';
export const VRRP_HEADER_LENGTH = 8;
/** RFC 3768 section 5.3.10: VRRPv2 always carries 8 octets of authentication data. */
export const VRRP_V2_AUTH_DATA_LENGTH = 8;

/** RFC 3768 section 5.3.6; AH (2) is deprecated but still decoded, as tcpdump does. */
export const AuthType = { none: 0, simple: 1, ah: 2 } as const;
export type AuthTypeName = keyof typeof AuthType;
export const authTypeName = (code: number): AuthTypeName | undefined =>
  code === 0 ? 'none' : code === 1 ? 'simple' : code === 2 ? 'ah' : undefined;
