import { assertEquals, assertThrows } from "../testing/assert.ts";
import { clientAddress } from "./client_address.ts";
import { loadAuthConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

const BASE = {
  ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
  ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
};

Deno.test("loadAuthConfig() reads CCGATE_TRUSTED_PROXIES and CCGATE_CLIENT_IP_HEADER", () => {
  const config = loadAuthConfig({
    ...BASE,
    CCGATE_TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.10, fd00::/8",
    CCGATE_CLIENT_IP_HEADER: "CF-Connecting-IP",
    CCGATE_TOKEN_FAILURES_PER_IP: "5",
  });
  assertEquals(config.proxyTrust.proxies.length, 3);
  assertEquals(config.proxyTrust.header, "cf-connecting-ip");
  assertEquals(config.rateLimits.failuresPerIpPerMinute, 5);
  const headers = new Headers({ "cf-connecting-ip": "198.51.100.7" });
  assertEquals(clientAddress("192.0.2.10", headers, config.proxyTrust), "198.51.100.7");
  assertEquals(clientAddress("192.0.2.11", headers, config.proxyTrust), "192.0.2.11");
  assertEquals(clientAddress("fd00::1", headers, config.proxyTrust), "198.51.100.7");
});

Deno.test("loadAuthConfig() refuses bad proxy settings with a one-line message naming the key", () => {
  const cases: [Record<string, string>, string][] = [
    [
      { ...BASE, CCGATE_TRUSTED_PROXIES: "10.0.0.0/8, load-balancer" },
      'Invalid setting CCGATE_TRUSTED_PROXIES: must list IP addresses or CIDR ranges: "load-balancer" is neither',
    ],
    [
      { ...BASE, CCGATE_TRUSTED_PROXIES: "10.0.0.0/40" },
      'Invalid setting CCGATE_TRUSTED_PROXIES: must list IP addresses or CIDR ranges: "10.0.0.0/40" is neither',
    ],
    [
      { ...BASE, CCGATE_CLIENT_IP_HEADER: "x-real-ip" },
      "Invalid setting CCGATE_CLIENT_IP_HEADER: needs CCGATE_TRUSTED_PROXIES",
    ],
    [
      { ...BASE, CCGATE_TRUSTED_PROXIES: "10.0.0.1", CCGATE_CLIENT_IP_HEADER: "x real ip" },
      "Invalid setting CCGATE_CLIENT_IP_HEADER: must be an HTTP header name",
    ],
    [
      { ...BASE, CCGATE_TRUSTED_PROXIES: "10.0.0.1", CCGATE_CLIENT_IP_HEADER: "X-Forwarded-For" },
      "Invalid setting CCGATE_CLIENT_IP_HEADER: must not be x-forwarded-for",
    ],
    [
      { ...BASE, CCGATE_TOKEN_FAILURES_PER_IP: "0" },
      "Invalid setting CCGATE_TOKEN_FAILURES_PER_IP",
    ],
  ];
  for (const [env, message] of cases) {
    const err = assertThrows(() => loadAuthConfig(env), ConfigError);
    assertEquals(err.message.startsWith(message), true, `${err.message} / ${message}`);
    assertEquals(err.message.includes("\n"), false);
  }
});
