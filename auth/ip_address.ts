/** A parsed IP address: 4 bytes (IPv4) or 16 bytes (IPv6). */
export type IpAddress = Uint8Array;

/** A range of addresses (`10.0.0.0/8`, `2001:db8::/32`; a single address is a full-length range). */
export interface IpRange {
  /** The network address. */
  address: IpAddress;
  /** Prefix length in bits. */
  prefix: number;
}

const IPV4_PART = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses one IP address as it appears in a socket address or a proxy
 * header: IPv4 dotted quad, IPv6 (brackets and a port allowed:
 * `[2001:db8::1]:443`), IPv4 with a port (`192.0.2.1:5678`, as Azure
 * Application Gateway writes X-Forwarded-For). IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`) becomes IPv4. Zone ids and anything else are refused.
 *
 * @param text The address.
 * @returns The bytes, or `undefined` when `text` is not an address.
 *
 * @example
 * ```ts
 * import { formatIpAddress, parseIpAddress } from "./ip_address.ts";
 *
 * console.log(formatIpAddress(parseIpAddress("[::ffff:192.0.2.1]:443")!)); // 192.0.2.1
 * ```
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  let s = text.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0) return undefined;
    const rest = s.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return undefined;
    return _unmap(_parseIpv6(s.slice(1, end)));
  }
  if (s.includes(":") && s.indexOf(":") === s.lastIndexOf(":") && s.includes(".")) {
    // IPv4 with a port.
    const [host, port] = s.split(":");
    if (!/^\d{1,5}$/.test(port!)) return undefined;
    s = host!;
  }
  return s.includes(":") ? _unmap(_parseIpv6(s)) : _parseIpv4(s);
}

/**
 * Writes an address in its canonical form (RFC 5952 for IPv6).
 *
 * @param address Parsed address.
 * @returns `192.0.2.1`, `2001:db8::1`.
 */
export function formatIpAddress(address: IpAddress): string {
  if (address.length === 4) return address.join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((address[i]! << 8) | address[i + 1]!);
  // The longest run (at least two) of zero groups becomes "::".
  let best = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/**
 * Parses `192.0.2.0/24`, `2001:db8::/32` or a single address.
 *
 * @param text The range.
 * @returns The range, or `undefined` when malformed (bits set past the prefix are allowed and ignored).
 */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.length * 8;
  if (slash < 0) return { address, prefix: bits };
  const prefixText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // `::ffff:10.0.0.0/104` is written against the 128-bit form of an IPv4 range.
  if (address.length === 4 && text.includes(":")) prefix -= 96;
  if (prefix < 0 || prefix > bits) return undefined;
  return { address, prefix };
}

/**
 * Whether `address` lies in `range` (an IPv4 address never lies in an IPv6 range).
 *
 * @param range The range.
 * @param address The address.
 * @returns `true` when the first `range.prefix` bits are equal.
 */
export function inIpRange(range: IpRange, address: IpAddress): boolean {
  if (range.address.length !== address.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.address[i]! & mask) !== (address[i]! & mask)) return false;
  }
  return true;
}

function _parseIpv4(s: string): IpAddress | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p))) return undefined;
  const bytes = parts.map(Number);
  if (bytes.some((b) => b > 255)) return undefined;
  return new Uint8Array(bytes);
}

function _parseIpv6(s: string): IpAddress | undefined {
  if (s.includes("%")) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = _parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (HEX_GROUP.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 2 && head.length + tail.length > 7) return undefined;
  if (halves.length === 1 && head.length !== 8) return undefined;
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  const groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

function _unmap(address: IpAddress | undefined): IpAddress | undefined {
  if (address === undefined) return undefined;
  const mapped = address.slice(0, 10).every((b) => b === 0) && address[10] === 0xff &&
    address[11] === 0xff;
  return mapped ? address.slice(12) : address;
}
