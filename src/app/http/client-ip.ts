import { BlockList, isIP } from 'node:net';

/** What Elysia hands a hook as `server` (absent under `app.handle`, as in most HTTP tests). */
export interface SocketInfo {
  requestIP(request: Request): { address: string } | null;
}

/** `a.b.c.d` or `a.b.c.d/n`, IPv6 likewise: the problem with an entry of TRUSTED_PROXIES, or null. */
export function proxyEntryProblem(entry: string): string | null {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR range`;
  if (bits === undefined) return null;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128) ? null : `"${entry}" has a bad prefix length`;
}

/**
 * The client's address as the rate limits see it. The socket's peer, unless that peer is one of
 * TRUSTED_PROXIES: then `X-Forwarded-For` is read from the right, skipping trusted proxies, and the
 * first address no trusted proxy vouches for is the client (what is further left was written by the
 * client itself and proves nothing). Without TRUSTED_PROXIES the header is ignored: anyone could set it.
 */
export class ClientAddresses {
  private readonly trusted = new BlockList();
  readonly anyTrusted: boolean;

  constructor(proxies: readonly string[]) {
    for (const entry of proxies) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.trusted.addAddress(address, family);
      else this.trusted.addSubnet(address, Number(bits), family);
    }
    this.anyTrusted = proxies.length > 0;
  }

  /** True when the socket peer of `request` is a trusted proxy (whose headers we may believe). */
  fromTrustedProxy(request: Request, server: SocketInfo | null | undefined): boolean {
    if (!this.anyTrusted) return false;
    const peer = normalize(server?.requestIP(request)?.address);
    return peer !== null && this.trusts(peer);
  }

  /** The client address, or `unknown` when there is no socket (requests made in-process). */
  of(request: Request, server: SocketInfo | null | undefined): string {
    const peer = normalize(server?.requestIP(request)?.address);
    if (peer === null) return 'unknown';
    if (!this.anyTrusted || !this.trusts(peer)) return peer;
    const hops = request.headers.get('x-forwarded-for')?.split(',') ?? [];
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalize(hops[i]?.trim());
      // A trusted proxy that forwarded garbage: the proxy itself is all we know.
      if (hop === null) return client;
      client = hop;
      if (!this.trusts(hop)) return hop;
    }
    return client;
  }

  private trusts(address: string): boolean {
    return this.trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** A bare IP (an IPv4-mapped IPv6 address as IPv4; a `:port` or `[…]` dropped), or null. */
function normalize(raw: string | undefined): string | null {
  if (!raw) return null;
  let address = raw;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) address = address.slice(7);
  return isIP(address) === 0 ? null : address.toLowerCase();
}

/**
 * The key an address is limited under. An IPv6 client is given a whole /64 by its provider, so it
 * is limited per /64: per address, it could take a fresh limit with every request.
 */
export function limitKeyOf(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
