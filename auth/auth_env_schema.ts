/**
 * The auth service's environment variables, as a zod schema: what each
 * accepts, its default and its documentation ({@linkcode loadAuthConfig}
 * validates them; `deno task docs:config` renders them).
 *
 * @module
 */
import { z } from "zod";
import { millisecondsSetting } from "../gateway/milliseconds_setting.ts";
import { type IpRange, parseIpRange } from "./ip_address.ts";

const list = z.string().transform((v) =>
  v.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
).meta({ accepts: "comma-separated list" });

const nonEmptyList = (what: string) =>
  list.pipe(z.array(z.string()).min(1, `must name at least one ${what}`)).meta({
    accepts: `comma-separated list of at least one ${what}`,
  });

const durationPattern = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

const duration = (fallbackSeconds: number, minSeconds: number, maxSeconds: number) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined) return fallbackSeconds;
    const match = durationPattern.exec(v.trim());
    if (match === null) {
      ctx.addIssue({
        code: "custom",
        message: 'must be a duration like "3600", "60m", "1h" or "7d"',
      });
      return z.NEVER;
    }
    const seconds = Number(match[1]) * UNIT_SECONDS[match[2] ?? "s"]!;
    if (seconds < minSeconds || seconds > maxSeconds) {
      ctx.addIssue({
        code: "custom",
        message: `must be between ${minSeconds} s and ${maxSeconds} s`,
      });
      return z.NEVER;
    }
    return seconds;
  }).meta({
    accepts:
      `duration in seconds, or with a unit: \`90\`, \`30m\`, \`1h\`, \`7d\` (${minSeconds} s to ${maxSeconds} s)`,
  });

const positiveInt = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().positive(),
  ).optional().transform((v) => v ?? fallback).meta({ accepts: "whole number, at least 1" });

const ipRanges = list.transform((items, ctx) => {
  const ranges: IpRange[] = [];
  for (const item of items) {
    const range = parseIpRange(item);
    if (range === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must list IP addresses or CIDR ranges: ${
          JSON.stringify(item.slice(0, 60))
        } is neither`,
      });
      return z.NEVER;
    }
    ranges.push(range);
  }
  return ranges;
}).meta({ accepts: "comma-separated IP addresses and CIDR ranges (IPv4 or IPv6)" });

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).transform((v) =>
  v.replace(/\/+$/, "")
);

/** An http(s) URL that can go into Claude Code's `ANTHROPIC_BASE_URL` as it is (as the CLI checks it). */
const baseUrl = httpUrl.refine((v) => {
  const url = new URL(v);
  return url.username === "" && url.password === "";
}, "must not carry a user name or password").refine((v) => {
  const url = new URL(v);
  return url.search === "" && url.hash === "" && !/[?#]/.test(v);
}, "must have no query (?) or fragment (#)").meta({
  accepts: "http(s) URL, without user name, password, query or fragment",
});

/** Tenant ids that name a class of tenants rather than one: never an issuer. */
const MULTI_TENANT_ALIASES = new Set(["common", "organizations", "consumers"]);

/**
 * The auth service's environment variables. Every key is documented here;
 * {@linkcode loadAuthConfig} validates them once at start-up.
 */
export const authEnvSchema = z.object({
  CCGATE_ENV: z.enum(["development", "production"]).optional().meta({
    description:
      "`development` or `production`. Production (implied on Deno Deploy) never starts the local emulators or uses generated development settings, and requires `AWS_REGION`, an Entra ID tenant and an https `CCGATE_ISSUER`.",
    defaultText: "`development`; `production` on Deno Deploy",
    example: "production",
  }),
  DENO_DEPLOYMENT_ID: z.string().optional().meta({
    description:
      "Set by Deno Deploy on every deployment; its presence means production. Do not set it yourself.",
    example: "a1b2c3d4e5",
  }),
  PORT: z.string().regex(/^\d+$/, "must be a port number").optional().meta({
    description:
      "Port of `deno task start`; only used for the development default of `CCGATE_ISSUER`.",
    accepts: "port number, `0` to `65535`",
    defaultText: "`8080`",
  }),
  ENTRA_TENANT_ID: nonEmptyList("tenant id").refine(
    (ids) => ids.every((id) => !MULTI_TENANT_ALIASES.has(id.toLowerCase())),
    "must list tenant ids, not common/organizations/consumers",
  ).refine((ids) => ids.every((id) => /^[A-Za-z0-9.-]+$/.test(id)), "must list tenant ids").meta({
    description:
      "Entra tenant id, or a comma-separated list of them (the tenant allowlist). Required.",
    accepts: "comma-separated tenant ids (not `common`, `organizations` or `consumers`)",
    defaultText: "required (development: the local Entra ID emulator's)",
    example: "11111111-1111-1111-1111-111111111111",
  }),
  ENTRA_CLIENT_ID: z.string().trim().min(1, "must be the API app registration's client id").meta({
    description:
      "Application (client) id of ccgate's API app registration: the `aud` of accepted Entra tokens. Required.",
    accepts: "application (client) id",
    defaultText: "required (development: the local Entra ID emulator's)",
    example: "22222222-2222-2222-2222-222222222222",
  }),
  ENTRA_SCOPE: z.string().trim().min(1).optional().meta({
    description:
      "The delegated scope Entra tokens must carry in `scp`: `access_as_user` or `api://<app id uri>/access_as_user`.",
    defaultText: "`access_as_user`",
    example: "api://22222222-2222-2222-2222-222222222222/access_as_user",
  }),
  ENTRA_ALLOWED_CLIENT_IDS: nonEmptyList("client id").meta({
    description:
      "Comma-separated client ids allowed as `azp` (the ccgate CLI's app registration, ...). Required.",
    defaultText: "required (development: the local Entra ID emulator's)",
    example: "33333333-3333-3333-3333-333333333333,04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  }),
  ENTRA_REQUIRED_ROLES: list.optional().meta({
    description: "Comma-separated app roles a user must have all of.",
    defaultText: "none",
    example: "ccgate.user",
  }),
  ENTRA_REQUIRED_GROUPS: list.optional().meta({
    description: "Comma-separated group object ids a user must be in (any one of them).",
    defaultText: "none",
    example: "44444444-4444-4444-4444-444444444444",
  }),
  ENTRA_AUTHORITY_HOST: httpUrl.optional().meta({
    description:
      "Entra authority host: `https://login.microsoftonline.com` by default; sovereign clouds and tests override it.",
    defaultText: "`https://login.microsoftonline.com`",
    example: "https://login.microsoftonline.us",
  }),
  CCGATE_ISSUER: httpUrl.optional().meta({
    description:
      "The auth service's public URL: the `iss` of ccgate access tokens, which the auth service signs and the gateway requires. Required in production (https) and by `gateway/main.ts`; in development `main.ts` uses its own URL.",
    accepts: "http(s) URL",
    defaultText: "this server's URL in development; required in production",
    example: "https://ccgate.example.com",
  }),
  CCGATE_GATEWAY_URL: baseUrl.optional().meta({
    description:
      "The gateway's public URL, published in the auth service's metadata (`ccgate_gateway_url`): a developer who signs in with the auth service's URL gets it as the gateway that `ccgate status`, `doctor` and `install` use. Set it on `auth/main.ts` when the gateway is deployed apart (`gateway/main.ts`); unset there, the CLI takes the auth service's URL for the gateway too. `main.ts` publishes its own URL. Required to be https in production.",
    defaultText: "`main.ts`: its own URL; `auth/main.ts`: not published",
    example: "https://gateway.ccgate.example.com",
  }),
  CCGATE_AUDIENCE: z.string().trim().min(1).optional().meta({
    description:
      "The `aud` of ccgate access tokens: the auth service issues it and the gateway requires it, so both must have the same value.",
    defaultText: "`ccgate`",
    example: "ccgate-prod",
  }),
  CCGATE_ACCESS_TTL: duration(3600, 60, 86_400).meta({
    description:
      "Access token lifetime: seconds or `30m`, `1h`; default 1 h, between 1 min and 24 h.",
    example: "30m",
  }),
  CCGATE_SESSION_TTL: duration(7 * 86_400, 300, 90 * 86_400).meta({
    description:
      "Absolute session lifetime (refresh tokens die with it): default 7 days, between 5 min and 90 days.",
    example: "14d",
  }),
  CCGATE_REFRESH_GRACE: duration(30, 5, 300).meta({
    description:
      "Grace window in which a just-rotated refresh token still yields the same successor: default 30 s, between 5 s and 5 min (shorter, two processes refreshing at once would end the session as a reuse).",
    example: "10s",
  }),
  CCGATE_KEY_ROTATION: duration(86_400, 600, 90 * 86_400).meta({
    description:
      "Signing key rotation interval: default 1 day; at least the access token lifetime plus 5 min, at most 90 days.",
    example: "7d",
  }),
  CCGATE_ADMIN_ROLE: z.string().trim().min(1).optional().meta({
    description:
      "App role (from the Entra token, snapshotted in the ccgate token) that may use `/admin/sessions`.",
    defaultText: "`ccgate.admin`",
    example: "ccgate.admin",
  }),
  CCGATE_ADMIN_TENANTS: nonEmptyList("tenant id").optional().meta({
    description:
      "Tenants (of `ENTRA_TENANT_ID`) whose admins (`CCGATE_ADMIN_ROLE`) may manage every tenant's users. With several allowlisted tenants, each tenant grants the admin role itself, so an admin from any other tenant reaches only their own tenant's sessions (`/admin/sessions`), as on the gateway's admin API only their own tenant's usage. Set it to the same value on the gateway.",
    accepts: "comma-separated tenant ids, each in `ENTRA_TENANT_ID`",
    defaultText: "the first tenant of `ENTRA_TENANT_ID`",
    example: "11111111-1111-1111-1111-111111111111",
  }),
  CCGATE_TOKEN_RATE_PER_IP: positiveInt(60).meta({
    description:
      "Token exchanges (sign-ins) and revocations per minute per client address (see `CCGATE_TRUSTED_PROXIES` for what the address is behind a proxy); refreshes with a valid refresh token are limited per user instead.",
    example: "120",
  }),
  CCGATE_TOKEN_RATE_PER_USER: positiveInt(30).meta({
    description: "Token endpoint requests per minute per user (Entra `oid` / session owner).",
    example: "60",
  }),
  CCGATE_TOKEN_FAILURES_PER_IP: positiveInt(20).meta({
    description:
      "Failed refresh requests (unknown or malformed refresh token) per minute per client address, on a bucket of their own: junk from one address is answered 429 once it is spent, while refreshes with a valid refresh token are limited per user only and sign-ins keep `CCGATE_TOKEN_RATE_PER_IP`.",
    example: "10",
  }),
  CCGATE_TRUSTED_PROXIES: ipRanges.optional().meta({
    description:
      "Addresses or CIDR ranges of the TLS proxies / load balancers in front of ccgate whose `X-Forwarded-For` is believed. The client is the right-most address of that header that is not in this list (the left-most entries are written by the client and never believed on their own). Unset, the socket's peer is the client: right on Deno Deploy and with no proxy, wrong behind a proxy, where every developer then shares the proxy's per-address limits. See docs/admins.md.",
    defaultText: "none (the socket's peer address is the client)",
    example: "10.0.0.0/8,fd00::/8",
  }),
  CCGATE_CLIENT_IP_HEADER: z.string().trim().toLowerCase().regex(
    /^[a-z0-9!#$%&'*+.^_`|~-]+$/,
    "must be an HTTP header name",
  ).refine(
    (name) => name !== "x-forwarded-for",
    "must not be x-forwarded-for: leave it unset and list your proxies in CCGATE_TRUSTED_PROXIES",
  ).optional().meta({
    description:
      "A header the proxy layer sets to the client's single address (`cf-connecting-ip`, `x-real-ip`, `fly-client-ip`), read instead of `X-Forwarded-For`, and only on requests whose peer is in `CCGATE_TRUSTED_PROXIES` (required with it).",
    accepts: "HTTP header name",
    defaultText: "none (`X-Forwarded-For` with `CCGATE_TRUSTED_PROXIES`)",
    example: "cf-connecting-ip",
  }),
  CCGATE_REVOCATION_REFRESH_MS: millisecondsSetting(5_000, 1).meta({
    description:
      "How often revoked sessions are pulled into memory, in milliseconds (from KV in `main.ts` and `auth/main.ts`, from the auth service's revocation feed in `gateway/main.ts`): the bound on how long a revoked session's tokens keep working.",
    example: "2000",
  }),
});
