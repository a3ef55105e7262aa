import {
  formatIpAddress,
  inIpRange,
  type IpAddress,
  type IpRange,
  parseIpAddress,
} from "./ip_address.ts";

/** Which proxies' word about the client's address is believed. */
export interface ProxyTrust {
  /** Addresses and ranges of the proxies in front of the service (`CCGATE_TRUSTED_PROXIES`). */
  proxies: readonly IpRange[];
  /**
   * A header one trusted proxy sets to the client's address (`CCGATE_CLIENT_IP_HEADER`,
   * lower case: `cf-connecting-ip`, `x-real-ip`); without it `X-Forwarded-For` is read.
   */
  header?: string;
}

/** Trusts nothing: the socket's peer is the client (the default). */
export const TRUST_NO_PROXY: ProxyTrust = { proxies: [] };

/**
 * The client's address, for per-address limits and logs.
 *
 * The socket's peer is the client unless it is a trusted proxy. From a trusted
 * proxy, with `trust.header` set, that header's single address is taken; else
 * `X-Forwarded-For` is read right to left, skipping trusted proxies, and the
 * first address not trusted is the client. The left-most entries are never
 * believed on their own: the client writes them. A malformed entry stops the
 * walk at the last trusted hop (that proxy's address is answered, so a
 * garbage header cannot mint fresh rate-limit keys). When every hop is
 * trusted, the left-most one is the client.
 *
 * @param peer The socket's remote address (`Deno.ServeHandlerInfo.remoteAddr.hostname`).
 * @param headers The request's headers.
 * @param trust Trusted proxies.
 * @returns The address in canonical form, or `"unknown"` without a usable peer address.
 *
 * @example A client behind a trusted load balancer
 * ```ts
 * import { clientAddress } from "./client_address.ts";
 * import { parseIpRange } from "./ip_address.ts";
 *
 * const trust = { proxies: [parseIpRange("10.0.0.0/8")!] };
 * const headers = new Headers({ "x-forwarded-for": "6.6.6.6, 198.51.100.7" });
 * console.log(clientAddress("10.0.0.2", headers, trust)); // 198.51.100.7
 * ```
 */
export function clientAddress(
  peer: string | undefined,
  headers: Headers,
  trust: ProxyTrust,
): string {
  const peerAddress = peer === undefined ? undefined : parseIpAddress(peer);
  if (peerAddress === undefined) return "unknown";
  const trusted = (a: IpAddress) => trust.proxies.some((range) => inIpRange(range, a));
  if (!trusted(peerAddress)) return formatIpAddress(peerAddress);
  if (trust.header !== undefined) {
    const value = headers.get(trust.header);
    const address = value === null || value.includes(",") ? undefined : parseIpAddress(value);
    return formatIpAddress(address ?? peerAddress);
  }
  let client = peerAddress;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    if (hop === "" && hops.length === 1) break;
    const address = parseIpAddress(hop);
    if (address === undefined) break;
    client = address;
    if (!trusted(address)) break;
  }
  return formatIpAddress(client);
}

/**
 * The rate-limit bucket of a client address: the address itself for IPv4,
 * its /64 for IPv6 (one host is usually given a whole /64, so per-address
 * IPv6 buckets would be free to multiply).
 *
 * @param address A canonical address from {@linkcode clientAddress}.
 * @returns The bucket key.
 */
export function addressBucket(address: string): string {
  const parsed = parseIpAddress(address);
  if (parsed === undefined || parsed.length === 4) return address;
  const network = new Uint8Array(16);
  network.set(parsed.slice(0, 8));
  return `${formatIpAddress(network)}/64`;
}
