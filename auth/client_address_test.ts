import { assertEquals } from "../testing/assert.ts";
import { addressBucket, clientAddress, type ProxyTrust, TRUST_NO_PROXY } from "./client_address.ts";
import { parseIpRange } from "./ip_address.ts";

const trust = (proxies: string[], header?: string): ProxyTrust => ({
  proxies: proxies.map((p) => parseIpRange(p)!),
  ...(header !== undefined ? { header } : {}),
});
const LB = trust(["10.0.0.0/8", "2001:db8:ffff::/48"]);

Deno.test("clientAddress() picks the right-most untrusted address, never the client-written left", () => {
  const cases: [string, string | undefined, Record<string, string>, ProxyTrust, string][] = [
    // [name, peer, headers, trust, expected]
    [
      "no trust: the peer",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7" },
      TRUST_NO_PROXY,
      "10.0.0.2",
    ],
    [
      "spoofed XFF from an untrusted peer is ignored",
      "203.0.113.5",
      { "x-forwarded-for": "198.51.100.7" },
      LB,
      "203.0.113.5",
    ],
    [
      "trusted peer, one hop",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7" },
      LB,
      "198.51.100.7",
    ],
    [
      "client-written left-most entries are skipped",
      "10.0.0.2",
      { "x-forwarded-for": "1.1.1.1, 6.6.6.6, 198.51.100.7" },
      LB,
      "198.51.100.7",
    ],
    [
      "chain of trusted proxies",
      "10.0.0.2",
      { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.9.9.9, 10.0.0.3" },
      LB,
      "198.51.100.7",
    ],
    [
      "every hop trusted: the left-most",
      "10.0.0.2",
      { "x-forwarded-for": "10.1.1.1, 10.0.0.3" },
      LB,
      "10.1.1.1",
    ],
    ["trusted peer without XFF: the peer", "10.0.0.2", {}, LB, "10.0.0.2"],
    ["empty XFF: the peer", "10.0.0.2", { "x-forwarded-for": "" }, LB, "10.0.0.2"],
    [
      "malformed right-most entry: the trusted peer",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7, bogus" },
      LB,
      "10.0.0.2",
    ],
    [
      "malformed entry behind a trusted hop: that hop",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7, <script>, 10.0.0.9" },
      LB,
      "10.0.0.9",
    ],
    [
      "empty entry stops the walk",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7,,10.0.0.9" },
      LB,
      "10.0.0.9",
    ],
    [
      "ports in XFF (Azure Application Gateway)",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7:51234" },
      LB,
      "198.51.100.7",
    ],
    [
      "IPv6 client behind an IPv6 proxy",
      "2001:db8:ffff::2",
      { "x-forwarded-for": "2001:DB8:1::7" },
      LB,
      "2001:db8:1::7",
    ],
    [
      "bracketed IPv6 with port",
      "10.0.0.2",
      { "x-forwarded-for": "[2001:db8:1::7]:443" },
      LB,
      "2001:db8:1::7",
    ],
    [
      "IPv4-mapped IPv6 peer matches an IPv4 range",
      "::ffff:10.0.0.2",
      { "x-forwarded-for": "198.51.100.7" },
      LB,
      "198.51.100.7",
    ],
    [
      "untrusted IPv6 peer is canonicalised",
      "2001:0DB8:0:0:0:0:0:5",
      { "x-forwarded-for": "1.1.1.1" },
      LB,
      "2001:db8::5",
    ],
    [
      "two XFF header lines join in order",
      "10.0.0.2",
      { "x-forwarded-for": "6.6.6.6, 198.51.100.7" },
      LB,
      "198.51.100.7",
    ],
    [
      "no usable peer: unknown, headers ignored",
      "unknown",
      { "x-forwarded-for": "198.51.100.7" },
      LB,
      "unknown",
    ],
    [
      "header mode from a trusted peer",
      "10.0.0.2",
      { "x-real-ip": "198.51.100.7", "x-forwarded-for": "6.6.6.6" },
      trust(["10.0.0.0/8"], "x-real-ip"),
      "198.51.100.7",
    ],
    [
      "header mode from an untrusted peer",
      "203.0.113.5",
      { "x-real-ip": "198.51.100.7" },
      trust(["10.0.0.0/8"], "x-real-ip"),
      "203.0.113.5",
    ],
    [
      "header mode, header missing: the peer",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.7" },
      trust(["10.0.0.0/8"], "x-real-ip"),
      "10.0.0.2",
    ],
    [
      "header mode, a list is malformed",
      "10.0.0.2",
      { "x-real-ip": "6.6.6.6, 198.51.100.7" },
      trust(["10.0.0.0/8"], "x-real-ip"),
      "10.0.0.2",
    ],
    [
      "header mode, garbage: the peer",
      "10.0.0.2",
      { "x-real-ip": "me" },
      trust(["10.0.0.0/8"], "x-real-ip"),
      "10.0.0.2",
    ],
  ];
  for (const [name, peer, headers, t, expected] of cases) {
    assertEquals(clientAddress(peer, new Headers(headers), t), expected, name);
  }
  assertEquals(clientAddress(undefined, new Headers(), LB), "unknown");
  const split = new Headers();
  split.append("x-forwarded-for", "6.6.6.6");
  split.append("x-forwarded-for", "198.51.100.7");
  assertEquals(clientAddress("10.0.0.2", split, LB), "198.51.100.7", "repeated header lines");
});

Deno.test("addressBucket() keeps IPv4 addresses and groups IPv6 by /64", () => {
  assertEquals(addressBucket("198.51.100.7"), "198.51.100.7");
  assertEquals(addressBucket("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assertEquals(addressBucket("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  assertEquals(addressBucket("unknown"), "unknown");
});
