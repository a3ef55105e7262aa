/**
 * A gateway under test, on a real socket, in front of the Bedrock emulator
 * (one per region when several regions are asked for), with a test token
 * issuer: what the gateway's end-to-end tests start.
 *
 * @module
 */
import {
  type BedrockEmulator,
  type BedrockEmulatorOptions,
  startBedrockEmulator,
} from "@ccgate/emulators";
import type { AccessTokenKey } from "@ccgate/client";
import { createApp } from "../gateway/app.ts";
import type { BudgetOverrides } from "../gateway/admin/budget_overrides.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import type { FailoverBedrock } from "../gateway/failover_bedrock.ts";
import type { GatewayLifecycle } from "../gateway/gateway_lifecycle.ts";
import type { GatewayMetrics } from "../gateway/gateway_metrics.ts";
import { startGatewayServices } from "../gateway/gateway_services.ts";
import type { UsageLedger } from "../gateway/ledger/usage_ledger.ts";
import type { ToolSearchRefusals } from "../gateway/tool_search_refusals.ts";
import { jsonLog, type LogRecord } from "../gateway/log.ts";
import type { MemoryLimitDeps } from "../gateway/memory_limit.ts";
import type { PriceOf } from "../gateway/model_price.ts";
import type { PolicyEngine } from "../gateway/policy/policy_engine.ts";
import { followPolicyAliases } from "../gateway/policy/policy_aliases.ts";
import { PolicyFile } from "../gateway/policy/policy_file.ts";
import { systemTimers, type Timers } from "../gateway/timers.ts";
import { FakeTimers } from "./fake_timers.ts";
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from "./test_issuer.ts";

/** The primary region of every stack; `emulator` serves it. */
export const PRIMARY_REGION = "us-east-1";

/** One more Bedrock region behind the gateway. */
export interface StackRegion {
  /** AWS region name, e.g. `us-west-2`. */
  region: string;
  /** Options of this region's own emulator. */
  emulator?: BedrockEmulatorOptions;
  /** A fixed endpoint instead of an emulator (e.g. a closed port: an unreachable region). */
  endpoint?: string;
}

/** Options of {@linkcode startGatewayStack}. */
export interface GatewayStackOptions {
  /**
   * Gateway settings. `CCGATE_RETRY_MAX_ATTEMPTS` defaults to `1` here (not
   * 3) so a scripted Bedrock error reaches the client as is.
   */
  env?: Record<string, string>;
  /** Options of the primary region's emulator. */
  emulator?: BedrockEmulatorOptions;
  /** Regions after the primary, in failover order. */
  regions?: StackRegion[];
  /** Timers of the resilience code (a `FakeTimers` in fault tests). @default systemTimers */
  timers?: Timers;
  /** Random source of the backoff jitter. @default Math.random */
  random?: () => number;
  /**
   * KV of the usage ledger (and admin audit log); the caller closes it.
   * @default a new in-memory KV, closed with the stack
   */
  kv?: Deno.Kv;
  /** Model prices, for costs in the ledger. @default none (costs are `null`), or the policy's */
  priceOf?: PriceOf;
  /**
   * Path of a policy file to enforce. Its counters live in `kv` and are
   * reconciled only when the test calls `stack.policy.reconcile()`; the file
   * is re-read only on `stack.policyFile.reload()`. @default no policy
   */
  policy?: string;
  /**
   * A policy to enforce, as YAML text: written to a temporary file (its path
   * is the stack's `policyPath`) that the stack removes on close. Instead of
   * `policy`. @default no policy
   */
  policyYaml?: string;
  /** Wall clock of the policy's minute, day and month windows. @default () => new Date() */
  policyNow?: () => Date;
  /** The gateway app's clock (token checks, admin audit times). @default () => new Date() */
  now?: () => Date;
  /** The auth service's URL, for a gateway deployed apart from it (`GatewayDeps.discoveryIssuer`). */
  discoveryIssuer?: string;
  /**
   * The gateway's verification keys (a `JwksKeySet`'s resolver, to test a JWKS
   * served over a socket). @default the stack's issuer's key set
   */
  key?: AccessTokenKey;
  /**
   * Model ids Bedrock refused tool search for (with the test's own clock).
   * @default one in memory on the gateway's clock (`GatewayDeps.toolSearchRefusals`)
   */
  toolSearchRefusals?: ToolSearchRefusals;
}

/** A running gateway + emulator(s). */
export interface GatewayStack extends AsyncDisposable {
  /** Gateway base URL. */
  url: string;
  /** The Bedrock emulator of the primary region. */
  emulator: BedrockEmulator;
  /** Every region's emulator, primary first (regions given an `endpoint` have none). */
  emulators: BedrockEmulator[];
  /** Mints tokens the gateway accepts. */
  issuer: TestIssuer;
  /** A valid token for the default test user. */
  token: string;
  /** Every log record the gateway wrote. */
  logs: LogRecord[];
  /** The same records as the production log writes them (one JSON line each). */
  logLines: string[];
  /** Revoked session ids (the gateway's `isRevoked`). */
  revoked: Set<string>;
  /** Admission and drain of this gateway. */
  lifecycle: GatewayLifecycle;
  /** The failover client the gateway calls Bedrock through. */
  bedrock: FailoverBedrock;
  /** The gateway's in-process counters. */
  metrics: GatewayMetrics;
  /**
   * The timers of the services' periodic work (ledger roll-ups and open-record refreshes, policy
   * reconciliation): they fire only when a test advances them.
   */
  background: FakeTimers;
  /** The usage ledger (`flush()` it before reading KV). */
  ledger: UsageLedger;
  /** The KV the ledger and audit log live in. */
  kv: Deno.Kv;
  /** Admin budget overrides (applied to the policy, if any). */
  budgetOverrides: BudgetOverrides;
  /** The policy engine, when a `policy` file was given. */
  policy?: PolicyEngine;
  /** The policy file, when one was given. */
  policyFile?: PolicyFile;
  /** The policy file's path (`policy`, or the temporary file of `policyYaml`), when one was given. */
  policyPath?: string;
  /** Stops everything (flushing the ledger first). */
  close(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" };

/** A machine where no memory limit can be found. */
const NOTHING_TO_DETECT: MemoryLimitDeps = {
  readTextFile: () => Promise.reject(new Error("no cgroup files in the test stack")),
};

/** Starts a {@linkcode GatewayStack}. */
export async function startGatewayStack(options: GatewayStackOptions = {}): Promise<GatewayStack> {
  const emulator = await startBedrockEmulator(options.emulator);
  const emulators = [emulator];
  const endpoints = [`${PRIMARY_REGION}=${emulator.url}`];
  for (const r of options.regions ?? []) {
    if (r.endpoint !== undefined) {
      endpoints.push(`${r.region}=${r.endpoint}`);
      continue;
    }
    const e = await startBedrockEmulator(r.emulator);
    emulators.push(e);
    endpoints.push(`${r.region}=${e.url}`);
  }
  const issuer = await createTestIssuer();
  const config = loadGatewayConfig({
    CCGATE_ISSUER: TEST_ISSUER,
    CCGATE_AUDIENCE: TEST_AUDIENCE,
    CCGATE_RETRY_MAX_ATTEMPTS: "1",
    CCGATE_BEDROCK_REGIONS: [PRIMARY_REGION, ...(options.regions ?? []).map((r) => r.region)]
      .join(","),
    CCGATE_BEDROCK_ENDPOINTS: endpoints.join(","),
    ...options.env,
  });
  const logs: LogRecord[] = [];
  const logLines: string[] = [];
  const line = jsonLog((l) => logLines.push(l));
  const log = (record: LogRecord) => {
    logs.push(record);
    line(record);
  };
  const revoked = new Set<string>();
  const timers = options.timers ?? systemTimers;
  const kv = options.kv ?? await Deno.openKv(":memory:");
  const policyPath = options.policyYaml === undefined
    ? options.policy
    : await Deno.makeTempFile({ prefix: "ccgate-policy-", suffix: ".yaml" });
  if (options.policyYaml !== undefined) await Deno.writeTextFile(policyPath!, options.policyYaml);
  const policyFile = policyPath === undefined
    ? undefined
    : await PolicyFile.open({ path: policyPath, timers, log, intervalMs: 0 });
  // The services as production builds them (gateway_services.ts), except that their periodic
  // work (ledger roll-ups on the interval, policy reconciliation, override refreshes) runs only
  // when a test asks: `stack.ledger.flush()`, `stack.policy.reconcile()`, `stack.policyFile.reload()`.
  const background = new FakeTimers();
  const services = await startGatewayServices({
    config,
    kv,
    log,
    timers,
    backgroundTimers: background,
    now: options.policyNow ?? (() => new Date()),
    random: options.random,
    policyFile,
    credentials: CREDENTIALS,
    // CCGATE_MEMORY_LIMIT_MB as production reads it; unset, no budget: nothing is detected here
    // (no cgroup file, and a test machine's memory is no limit).
    memoryLimit: NOTHING_TO_DETECT,
  });
  const { lifecycle, bedrock, metrics, ledger, budgetOverrides, policy } = services;
  const app = createApp({
    config: { ...config, issuer: TEST_ISSUER },
    policyAliases: policyFile && followPolicyAliases(policyFile, PRIMARY_REGION),
    bedrock,
    key: options.key ?? issuer.keySet,
    isRevoked: (sid) => revoked.has(sid),
    discoveryIssuer: options.discoveryIssuer,
    now: options.now ?? (() => new Date()),
    log,
    lifecycle,
    metrics,
    ledger,
    priceOf: options.priceOf,
    policy,
    budgetOverrides,
    toolSearchRefusals: options.toolSearchRefusals,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const close = async () => {
    for (const e of emulators) await e.close();
    await server.shutdown();
    // The drain's hooks: the ledger flushed, the policy's and overrides' loops stopped.
    await lifecycle.drain(0);
    if (options.kv === undefined) kv.close();
    if (options.policyYaml !== undefined) await Deno.remove(policyPath!);
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    emulator,
    emulators,
    issuer,
    token: await issuer.mint(),
    logs,
    logLines,
    revoked,
    lifecycle,
    bedrock,
    metrics,
    background,
    ledger,
    kv,
    budgetOverrides,
    policy,
    policyFile,
    policyPath,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Posts a minimal Messages API request with `overrides` merged into the body. */
export function postMessages(
  url: string,
  token: string,
  overrides: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 32,
      messages: [{ role: "user", content: "Hi" }],
      ...overrides,
    }),
  });
}

/** Options of {@linkcode postInvoke}. */
export interface PostInvokeOptions {
  /** InvokeModelWithResponseStream instead of InvokeModel. */
  stream?: boolean;
  /** The body's `max_tokens`. @default {32} */
  maxTokens?: number;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/**
 * Posts a minimal Bedrock InvokeModel (or, with `stream`,
 * InvokeModelWithResponseStream) request for `modelId` to a gateway stack's
 * native routes with its token.
 */
export function postInvoke(
  stack: Pick<GatewayStack, "url" | "token">,
  modelId: string,
  options: PostInvokeOptions = {},
): Promise<Response> {
  const action = options.stream ? "invoke-with-response-stream" : "invoke";
  return fetch(`${stack.url}/model/${encodeURIComponent(modelId)}/${action}`, {
    method: "POST",
    signal: options.signal,
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: options.maxTokens ?? 32,
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
}

/** A stream through the gateway whose first chunk has arrived. */
export interface OpenStream {
  /** The rest of the stream. */
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Leaves as a client does: aborts the request and cancels the body. */
  close(): Promise<void>;
}

/**
 * Opens a streamed `/v1/messages` (see {@linkcode postMessages}) and waits for its first chunk.
 *
 * @throws When the gateway answers anything but 200.
 */
export async function openStream(
  stack: Pick<GatewayStack, "url" | "token">,
  overrides: Record<string, unknown> = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await postMessages(
    stack.url,
    stack.token,
    { stream: true, ...overrides },
    controller.signal,
  );
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`Cannot open a stream: the gateway answered ${response.status}`);
  }
  const reader = response.body!.getReader();
  await reader.read();
  return {
    reader,
    async close() {
      controller.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

/** What {@linkcode getAs} read. */
export interface ReadAnswer {
  status: number;
  /** The `content-type`, or `""`. */
  type: string;
  /** The body: parsed when it is JSON, else the text. */
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** GETs `path` of a gateway with `token` as bearer and reads the whole answer. */
export async function getAs(
  stack: { url: string },
  token: string,
  path: string,
): Promise<ReadAnswer> {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    type,
    body: type.includes("json") ? await res.json() : await res.text(),
  };
}
