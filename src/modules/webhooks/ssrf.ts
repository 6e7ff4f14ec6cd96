import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Webhooks must never be a way into the private network. Refused: loopback, private, link-local (cloud metadata
 * at 169.254.169.254), carrier-grade NAT, unspecified, multicast, reserved and documentation ranges; in IPv6 also
 * unique-local, link-local, and every form that embeds an IPv4 address (mapped `::ffff:…`, compatible `::…`,
 * NAT64 `64:ff9b::…`), so no spelling of 127.0.0.1 gets through. `WEBHOOK_ALLOW_PRIVATE=true` lifts it (tests).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address: never connect to it
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class RefusedTarget extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTarget';
  }
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * A `lookup` for http.request: resolves, refuses the whole answer if any address is private, and hands the checked
 * addresses to the socket, so the connection goes to an address that was checked (no DNS rebinding in between).
 */
export function checkedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((a) => !allowPrivate && isPrivateAddress(a.address));
      if (refused) return callback(new RefusedTarget(`${hostname} resolves to a private address`), []);
      if (addresses.length === 0) return callback(new RefusedTarget(`${hostname} does not resolve`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Checks a target before it is saved (and again at each delivery, after resolution, by {@link checkedLookup}). */
export async function assertPublicTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host)) {
    if (isPrivateAddress(host))
      throw new RefusedTarget(`${host} is a private, loopback or link-local address`);
    return;
  }
  await new Promise<void>((resolve, reject) =>
    checkedLookup(false)(host, { all: true }, (error) => (error ? reject(error) : resolve())),
  );
}
