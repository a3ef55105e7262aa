/**
 * Test fixture of the auth service: the Entra emulator on a real socket as
 * the far side, in-memory KV, a controllable clock, captured logs, and a
 * leak check that scans logs, KV values and error bodies for every token
 * the test saw.
 *
 * @module
 */
import type { Hono } from "hono";
import { type AccessTokenClaims, verifyAccessToken } from "@ccgate/client";
import {
  type EntraEmulator,
  type EntraEmulatorOptions,
  startEntraEmulator,
} from "@ccgate/emulators";
import { type AuthDeps, createApp } from "./app.ts";
import { type AuthConfig, loadAuthConfig } from "./config.ts";
import {
  createEntraTokenVerifier,
  type EntraTokenVerifierOptions,
} from "./entra_token_verifier.ts";
import { RevocationList } from "./revocation_list.ts";
import { openSigningKeys, type SigningKeys } from "./signing_keys.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";

/** A clock tests move by hand. */
export interface TestClock {
  /** The current time. */
  now(): Date;
  /** Moves the clock forward. */
  advance(ms: number): void;
}

/** Creates a {@linkcode TestClock} starting at `start`. */
export function testClock(start = new Date("2026-03-02T09:00:00Z")): TestClock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/** Options of {@linkcode startAuthFixture}. */
export interface AuthFixtureOptions {
  /** Extra environment for `loadAuthConfig` (over the emulator's `ENTRA_*`). */
  env?: Record<string, string>;
  /** Emulator options. */
  entra?: EntraEmulatorOptions;
  /** Entra verifier overrides (cooldown, ...). */
  verifier?: Partial<EntraTokenVerifierOptions>;
  /** Metrics of the app, and whether it serves `/metrics`. */
  deps?: Pick<AuthDeps, "metrics" | "serveMetrics">;
}

/** The running fixture. */
export interface AuthFixture extends AsyncDisposable {
  entra: EntraEmulator;
  kv: Deno.Kv;
  keys: SigningKeys;
  config: AuthConfig;
  app: Hono;
  clock: TestClock;
  logs: Record<string, unknown>[];
  revocations: RevocationList;
  /** Every token the test saw, for the leak scan. */
  secrets: Set<string>;
  /** Every response body the test saw that was an error. */
  errorBodies: string[];
  /** POSTs a form to the app, recording tokens and error bodies. */
  post(
    path: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Exchanges an Entra token; the parsed body and status. */
  exchange(
    subjectToken: string,
    extra?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, string> }>;
  /** Redeems a refresh token. */
  refresh(refreshToken: string): Promise<{ status: number; body: Record<string, string> }>;
  /** Mints a valid Entra token and exchanges it. */
  signIn(
    mint?: Parameters<EntraEmulator["mintAccessToken"]>[0],
  ): Promise<{ access_token: string; refresh_token: string; expires_in: number }>;
  /** Verifies a ccgate access token with the in-process key ring. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** Asserts that no token appears in logs, KV values or error bodies. */
  assertNoLeaks(): Promise<void>;
}

/** Starts the fixture; dispose it with `await using`. */
export async function startAuthFixture(options: AuthFixtureOptions = {}): Promise<AuthFixture> {
  const clock = testClock();
  const entra = await startEntraEmulator({ now: clock.now, log: () => {}, ...options.entra });
  const kv = await Deno.openKv(":memory:");
  const config = loadAuthConfig({
    ...entra.env,
    CCGATE_ISSUER: "http://ccgate.test",
    ...options.env,
  });
  const keys = await openSigningKeys(kv, { now: clock.now });
  const logs: Record<string, unknown>[] = [];
  const log = (record: object) => logs.push(JSON.parse(JSON.stringify(record)));
  const revocations = new RevocationList({ kv, now: clock.now, log });
  const app = createApp({
    kv,
    keys,
    config,
    now: clock.now,
    fetch: globalThis.fetch,
    log,
    revocations,
    verifyEntraToken: createEntraTokenVerifier({
      entra: config.entra,
      now: clock.now,
      ...options.verifier,
    }),
    ...options.deps,
  });
  const secrets = new Set<string>();
  const errorBodies: string[] = [];

  async function post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    for (const [name, value] of Object.entries(form)) {
      if (/token/.test(name) && value.length > 20) secrets.add(value);
    }
    const response = await app.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    if (response.status >= 400) errorBodies.push(text);
    if (text.startsWith("{")) {
      const body = JSON.parse(text) as Record<string, unknown>;
      for (const name of ["access_token", "refresh_token"]) {
        if (typeof body[name] === "string") secrets.add(body[name] as string);
      }
    }
    return new Response(text, { status: response.status, headers: response.headers });
  }

  async function exchange(subjectToken: string, extra: Record<string, string> = {}) {
    const response = await post("/oauth/token", {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      ...extra,
    });
    return { status: response.status, body: await response.json() };
  }

  async function refresh(refreshToken: string) {
    const response = await post("/oauth/token", {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    });
    return { status: response.status, body: await response.json() };
  }

  const fixture: AuthFixture = {
    entra,
    kv,
    keys,
    config,
    app,
    clock,
    logs,
    revocations,
    secrets,
    errorBodies,
    post,
    exchange,
    refresh,
    async signIn(mint) {
      const token = await entra.mintAccessToken(mint);
      secrets.add(token);
      const { status, body } = await exchange(token);
      if (status !== 200) throw new Error(`sign-in failed: ${status} ${JSON.stringify(body)}`);
      return body as unknown as { access_token: string; refresh_token: string; expires_in: number };
    },
    verify(token) {
      return verifyAccessToken(token, {
        key: keys.getKey,
        issuer: config.issuer,
        audience: config.audience,
        currentDate: clock.now(),
      });
    },
    async assertNoLeaks() {
      const haystacks = [JSON.stringify(logs), ...errorBodies];
      for await (const entry of kv.list({ prefix: [] })) {
        // Counters (the audit log's denied-call counts) are Deno.KvU64: bigint.
        const text = (v: unknown) =>
          JSON.stringify(v, (_, x) => typeof x === "bigint" ? String(x) : x);
        haystacks.push(text(entry.key), text(entry.value));
      }
      const all = haystacks.join("\n");
      for (const secret of secrets) {
        // Also catch a token's signature or payload part on its own.
        const parts = secret.includes(".")
          ? secret.split(".").filter((p) => p.length > 20)
          : [secret];
        for (const part of [secret, ...parts]) {
          if (all.includes(part)) {
            throw new Error("A token appears in a log line, an error body or KV");
          }
        }
      }
    },
    async [Symbol.asyncDispose]() {
      revocations.stop();
      kv.close();
      await entra.close();
    },
  };
  return fixture;
}
