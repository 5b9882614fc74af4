import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { SignerConfig } from '../config.js';

/** Whether webhooks may go to private network addresses (`SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS`). */
export type PrivateNetworkPolicy = SignerConfig['webhookPrivateNetworks'];

/**
 * Destinations a webhook must not reach under `deny`: the operator's own network and addresses
 * that are no single public host. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) matches the IPv4 rules:
 * `BlockList` checks the embedded address.
 */
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included (RFC 791)
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata at 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, 255.255.255.255 broadcast included
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['fc00::', 7], // unique-local (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IPv4 or IPv6 literal, no brackets) is a private network address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE_NETWORKS.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True when a URL's `hostname` names a private destination without any DNS: `localhost` (and
 * `*.localhost`, RFC 6761) or a private IP literal. A host name that resolves to a private
 * address is caught at delivery, by {@link guardedLookup}.
 */
export function isPrivateHost(hostname: string): boolean {
  // A trailing dot (an absolute DNS name) names the same host.
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
}

/** Why a callback URL is refused under `deny`, after the field's name. */
export const PRIVATE_HOST =
  'points at a private network address; SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS=allow permits it';

/** A webhook refused because its destination is a private network address. */
export class PrivateDestinationError extends Error {
  readonly code = 'ERR_PRIVATE_DESTINATION';

  constructor(host: string, address?: string) {
    const where = address && address !== host ? `${host} (${address})` : host;
    super(`destination ${where} is a private network address`);
    this.name = 'PrivateDestinationError';
  }
}

/** Resolves a host name to every address it has, as `dns.lookup` with `all: true` does. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * A `lookup` for node:net connections that refuses host names with any private address. The
 * socket connects to an address this function returned, so a DNS answer that changes between
 * a check and the connection (DNS rebinding) cannot slip through. Honours `all` and `family`
 * (Node asks for all addresses when it tries IPv6 and IPv4 side by side).
 *
 * @example
 * https.request(url, { lookup: guardedLookup() }); // fails with PrivateDestinationError for 10.x
 */
export function guardedLookup(resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (resolved) => {
        const refused = resolved.find((entry) => isPrivateAddress(entry.address));
        if (refused) return callback(new PrivateDestinationError(hostname, refused.address), '');
        const family = options.family;
        const wanted = family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : undefined;
        const addresses = wanted ? resolved.filter((entry) => entry.family === wanted) : resolved;
        const [first] = addresses;
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, '');
        }
        if (options.all) return callback(null, addresses);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
