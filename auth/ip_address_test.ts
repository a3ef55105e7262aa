import { assertEquals } from "../testing/assert.ts";
import { formatIpAddress, inIpRange, parseIpAddress, parseIpRange } from "./ip_address.ts";

Deno.test("parseIpAddress() reads IPv4, IPv6, brackets, ports and IPv4-mapped IPv6", () => {
  const cases: [string, string | undefined][] = [
    ["192.0.2.1", "192.0.2.1"],
    [" 192.0.2.1 ", "192.0.2.1"],
    ["192.0.2.1:5678", "192.0.2.1"],
    ["2001:DB8::1", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["::1", "::1"],
    ["::", "::"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::ffff:c000:201", "192.0.2.1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
    ["256.0.0.1", undefined],
    ["01.2.3.4", undefined],
    ["1.2.3", undefined],
    ["1.2.3.4.5", undefined],
    ["fe80::1%eth0", undefined],
    ["2001:db8::1::2", undefined],
    ["2001:db8:1:2:3:4:5:6:7", undefined],
    ["12345::", undefined],
    ["[::1", undefined],
    ["[::1]x", undefined],
    ["unknown", undefined],
    ["", undefined],
    ["_hidden", undefined],
    ["1.2.3.4:port", undefined],
  ];
  for (const [text, expected] of cases) {
    const parsed = parseIpAddress(text);
    assertEquals(parsed && formatIpAddress(parsed), expected, text);
  }
});

Deno.test("parseIpRange() and inIpRange() match CIDR prefixes of either family", () => {
  const range = (text: string) => parseIpRange(text)!;
  const ip = (text: string) => parseIpAddress(text)!;
  assertEquals(inIpRange(range("10.0.0.0/8"), ip("10.255.1.2")), true);
  assertEquals(inIpRange(range("10.0.0.0/8"), ip("11.0.0.1")), false);
  assertEquals(inIpRange(range("192.0.2.128/25"), ip("192.0.2.127")), false);
  assertEquals(inIpRange(range("192.0.2.128/25"), ip("192.0.2.200")), true);
  assertEquals(inIpRange(range("192.0.2.7"), ip("192.0.2.7")), true);
  assertEquals(inIpRange(range("192.0.2.7"), ip("192.0.2.8")), false);
  assertEquals(inIpRange(range("0.0.0.0/0"), ip("203.0.113.9")), true);
  assertEquals(inIpRange(range("0.0.0.0/0"), ip("2001:db8::1")), false, "families never mix");
  assertEquals(inIpRange(range("2001:db8::/32"), ip("2001:db8:ffff::1")), true);
  assertEquals(inIpRange(range("2001:db8::/32"), ip("2001:db9::1")), false);
  assertEquals(inIpRange(range("::ffff:10.0.0.0/104"), ip("10.1.2.3")), true);
  assertEquals(inIpRange(range("::/0"), ip("::ffff:10.1.2.3")), false, "mapped is IPv4");
  for (const bad of ["10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "nope/8"]) {
    assertEquals(parseIpRange(bad), undefined, bad);
  }
});
