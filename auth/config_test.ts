import { assertEquals, assertThrows } from "../testing/assert.ts";
import { loadAuthConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

const BASE = {
  ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
  ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
};

Deno.test("loadAuthConfig() applies the documented defaults", () => {
  const config = loadAuthConfig(BASE);
  assertEquals(config.env, "development");
  assertEquals(config.issuer, "http://127.0.0.1:8080");
  assertEquals(config.audience, "ccgate");
  assertEquals(config.accessTtlSeconds, 3600);
  assertEquals(config.sessionTtlSeconds, 7 * 86_400);
  assertEquals(config.refreshGraceSeconds, 30);
  assertEquals(config.adminRole, "ccgate.admin");
  assertEquals(config.rateLimits, {
    perIpPerMinute: 60,
    failuresPerIpPerMinute: 20,
    perUserPerMinute: 30,
  });
  assertEquals(config.proxyTrust, { proxies: [] });
  assertEquals(config.revocationRefreshMs, 5_000);
  assertEquals(config.keyRotationMs, 86_400_000);
  assertEquals(config.entra.authorityHost, "https://login.microsoftonline.com");
  assertEquals(config.entra.scope, "access_as_user");
  assertEquals(config.entra.requestScope, `api://${BASE.ENTRA_CLIENT_ID}/access_as_user`);
});

Deno.test("loadAuthConfig() reads lists, durations and a full scope URI", () => {
  const config = loadAuthConfig({
    ...BASE,
    ENTRA_TENANT_ID: "t1, t2",
    ENTRA_SCOPE: "api://ccgate.example.com/Claude.Use",
    ENTRA_REQUIRED_ROLES: "a,b",
    CCGATE_ACCESS_TTL: "30m",
    CCGATE_SESSION_TTL: "14d",
    PORT: "9000",
  });
  assertEquals(config.entra.tenantIds, ["t1", "t2"]);
  assertEquals(config.entra.scope, "Claude.Use");
  assertEquals(config.entra.requestScope, "api://ccgate.example.com/Claude.Use");
  assertEquals(config.entra.requiredRoles, ["a", "b"]);
  assertEquals(config.accessTtlSeconds, 1800);
  assertEquals(config.sessionTtlSeconds, 14 * 86_400);
  assertEquals(config.issuer, "http://127.0.0.1:9000");
});

Deno.test("loadAuthConfig() names the bad key", () => {
  const cases: [Record<string, string>, string][] = [
    [{ ...BASE, ENTRA_TENANT_ID: "" }, "Invalid setting ENTRA_TENANT_ID: is required"],
    [{ ...BASE, ENTRA_TENANT_ID: "common" }, "Invalid setting ENTRA_TENANT_ID"],
    [{ ...BASE, ENTRA_ALLOWED_CLIENT_IDS: " , " }, "Invalid setting ENTRA_ALLOWED_CLIENT_IDS"],
    [{ ...BASE, CCGATE_ACCESS_TTL: "soon" }, "Invalid setting CCGATE_ACCESS_TTL"],
    [{ ...BASE, CCGATE_ACCESS_TTL: "2d" }, "Invalid setting CCGATE_ACCESS_TTL"],
    [{ ...BASE, CCGATE_ISSUER: "ftp://x" }, "Invalid setting CCGATE_ISSUER"],
    [{ ...BASE, CCGATE_TOKEN_RATE_PER_IP: "-1" }, "Invalid setting CCGATE_TOKEN_RATE_PER_IP"],
    [{ ...BASE, CCGATE_ENV: "staging" }, "Invalid setting CCGATE_ENV"],
    [{ ...BASE, CCGATE_KEY_ROTATION: "30m" }, "Invalid setting CCGATE_KEY_ROTATION"],
    // Shorter, two processes refreshing one token at once would end the session as a reuse.
    [{ ...BASE, CCGATE_REFRESH_GRACE: "0" }, "Invalid setting CCGATE_REFRESH_GRACE"],
    [{ ...BASE, CCGATE_REFRESH_GRACE: "4s" }, "Invalid setting CCGATE_REFRESH_GRACE"],
  ];
  for (const [env, message] of cases) assertThrows(() => loadAuthConfig(env), ConfigError, message);
});

Deno.test("loadAuthConfig() refuses production without tenant, audience or an https issuer", () => {
  assertThrows(
    () => loadAuthConfig({ CCGATE_ENV: "production", ENTRA_CLIENT_ID: "api" }),
    ConfigError,
    "ENTRA_TENANT_ID",
  );
  assertThrows(
    () => loadAuthConfig({ ...BASE, ENTRA_CLIENT_ID: "", CCGATE_ENV: "production" }),
    ConfigError,
    "ENTRA_CLIENT_ID",
  );
  assertThrows(
    () => loadAuthConfig({ ...BASE, DENO_DEPLOYMENT_ID: "abc" }),
    ConfigError,
    "CCGATE_ISSUER: is required in production",
  );
  assertThrows(
    () =>
      loadAuthConfig({
        ...BASE,
        CCGATE_ENV: "production",
        CCGATE_ISSUER: "https://ccgate.example.com",
        ENTRA_AUTHORITY_HOST: "http://127.0.0.1:1234",
      }),
    ConfigError,
    "ENTRA_AUTHORITY_HOST",
  );
  const config = loadAuthConfig({
    ...BASE,
    CCGATE_ENV: "production",
    CCGATE_ISSUER: "https://ccgate.example.com/",
  });
  assertEquals(config.env, "production");
  assertEquals(config.issuer, "https://ccgate.example.com");
});

Deno.test("loadAuthConfig() makes the first allowlisted tenant the admin tenant unless CCGATE_ADMIN_TENANTS names others of the allowlist", () => {
  assertEquals(loadAuthConfig(BASE).adminTenants, [BASE.ENTRA_TENANT_ID]);
  assertEquals(loadAuthConfig({ ...BASE, ENTRA_TENANT_ID: "t1,t2" }).adminTenants, ["t1"]);
  assertEquals(
    loadAuthConfig({ ...BASE, ENTRA_TENANT_ID: "t1,t2", CCGATE_ADMIN_TENANTS: "T2, t1" })
      .adminTenants,
    ["T2", "t1"],
  );
  assertThrows(
    () => loadAuthConfig({ ...BASE, ENTRA_TENANT_ID: "t1,t2", CCGATE_ADMIN_TENANTS: "t3" }),
    ConfigError,
    "Invalid setting CCGATE_ADMIN_TENANTS: must list tenants of ENTRA_TENANT_ID",
  );
});

Deno.test("loadAuthConfig() reads CCGATE_GATEWAY_URL, an http(s) base URL without its trailing slash", () => {
  assertEquals(loadAuthConfig(BASE).gatewayUrl, undefined);
  assertEquals(
    loadAuthConfig({ ...BASE, CCGATE_GATEWAY_URL: "https://gateway.example.com/" }).gatewayUrl,
    "https://gateway.example.com",
  );
  assertEquals(
    loadAuthConfig({ ...BASE, CCGATE_GATEWAY_URL: "http://127.0.0.1:8000/ccgate" }).gatewayUrl,
    "http://127.0.0.1:8000/ccgate",
  );
  const cases: [string, string][] = [
    ["gateway.example.com", "must be an http(s) URL"],
    ["ftp://gateway.example.com", "must be an http(s) URL"],
    ["https://user:secret@gateway.example.com", "must not carry a user name or password"],
    ["https://gateway.example.com/?x=1", "must have no query (?) or fragment (#)"],
    ["https://gateway.example.com/#top", "must have no query (?) or fragment (#)"],
  ];
  for (const [value, message] of cases) {
    const err = assertThrows(
      () => loadAuthConfig({ ...BASE, CCGATE_GATEWAY_URL: value }),
      ConfigError,
    );
    assertEquals(err.message, `Invalid setting CCGATE_GATEWAY_URL: ${message}`);
    assertEquals(err.message.includes("secret"), false);
  }
});

Deno.test("loadAuthConfig() requires an https CCGATE_GATEWAY_URL in production", () => {
  const production = {
    ...BASE,
    CCGATE_ENV: "production",
    CCGATE_ISSUER: "https://auth.example.com",
  };
  const err = assertThrows(
    () => loadAuthConfig({ ...production, CCGATE_GATEWAY_URL: "http://gateway.example.com" }),
    ConfigError,
  );
  assertEquals(
    err.message,
    "Invalid setting CCGATE_GATEWAY_URL: must be an https URL in production",
  );
  assertEquals(
    loadAuthConfig({ ...production, CCGATE_GATEWAY_URL: "https://gateway.example.com" }).gatewayUrl,
    "https://gateway.example.com",
  );
});
