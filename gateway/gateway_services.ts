/**
 * The long-lived services behind a gateway process, built the same way by
 * `main.ts` (gateway + auth) and `gateway/main.ts` (the gateway alone).
 *
 * @module
 */
import { BudgetOverrides, withBudgetOverrides } from "./admin/budget_overrides.ts";
import { bedrockFromConfig, type BedrockFromConfigDeps } from "./bedrock_from_config.ts";
import type { GatewayConfig } from "./config.ts";
import type { FailoverBedrock } from "./failover_bedrock.ts";
import { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";
import { UsageLedger } from "./ledger/usage_ledger.ts";
import { reachesEveryTenant } from "./admin_tenant_scope.ts";
import type { Log } from "./log.ts";
import { memoryBudgetFor } from "./memory_budget.ts";
import {
  DENO_DEPLOY_MEMORY_BYTES,
  type MemoryLimitDeps,
  memoryLimitFrom,
  systemMemoryLimitDeps,
} from "./memory_limit.ts";
import { PolicyEngine } from "./policy/policy_engine.ts";
import type { PolicyFile } from "./policy/policy_file.ts";
import { regionalModelId } from "./policy/regional_model_id.ts";
import type { Timers } from "./timers.ts";
import { repeatEvery } from "./repeat_every.ts";
import { entryUsage } from "./ledger/ledger_entry.ts";

/** How often the usage ledger rolls up the open records of requests whose gateway died, ms. */
const LEDGER_SWEEP_MS = 5 * 60_000;

/** Options of {@linkcode startGatewayServices}. */
export interface GatewayServicesOptions {
  /** Validated gateway configuration. */
  config: GatewayConfig;
  /** The KV the ledger, budget overrides and policy counters live in (shared by instances). */
  kv: Deno.Kv;
  /** Structured log sink. */
  log: Log;
  /** Clock and timers of the resilience code (timeouts, backoff, circuit breaker, drain). */
  timers: Timers;
  /**
   * Timers of the periodic work: the usage ledger's roll-up interval, policy
   * counter reconciliation, policy file re-reads and budget override
   * refreshes. Tests pass timers that fire only when told.
   * @default {timers}
   */
  backgroundTimers?: Timers;
  /** The clock (policy windows, budget override expiry). */
  now: () => Date;
  /** Random source of the backoff jitter. @default Math.random */
  random?: () => number;
  /** The validated policy file, when `CCGATE_POLICY` is set. */
  policyFile?: PolicyFile;
  /** Endpoint for every region (the local emulator). */
  endpoint?: string;
  /** Explicit AWS credentials (the local emulator). */
  credentials?: BedrockFromConfigDeps["credentials"];
  /**
   * Where the memory limit is read when `CCGATE_MEMORY_LIMIT_MB` is unset
   * (cgroup files, the machine's memory).
   * @default {systemMemoryLimitDeps}
   */
  memoryLimit?: MemoryLimitDeps;
  /**
   * Running on Deno Deploy: many isolates share the machine, each limited to
   * 512 MB, which then stands for the memory limit when no cgroup shows one.
   * @default {false}
   */
  onDenoDeploy?: boolean;
}

/** What {@linkcode startGatewayServices} starts: the `GatewayDeps` that outlive requests. */
export interface GatewayServices {
  /** Admission, load shedding and drain; every service below stops on its drain. */
  lifecycle: GatewayLifecycle;
  /** Bedrock with retries, failover, circuit breaker and timeouts. */
  bedrock: FailoverBedrock;
  /** In-process counters. */
  metrics: GatewayMetrics;
  /** The usage ledger, recovered from what a crashed writer left. */
  ledger: UsageLedger;
  /** Admin budget overrides, re-read every `CCGATE_POLICY_SYNC_MS`. */
  budgetOverrides: BudgetOverrides;
  /** The policy engine, when there is a policy file. */
  policy?: PolicyEngine;
}

/**
 * Starts the gateway's long-lived services: Bedrock behind the failover
 * client, the usage ledger (rolling up what a crashed writer left first),
 * budget overrides and the policy engine, all reconciled through `kv`. The
 * lifecycle's drain stops them: the policy flushes its counters and the
 * ledger what it buffers.
 *
 * @param options Configuration, KV, log, clock, policy file and emulator settings.
 * @returns The services, for `createApp`.
 */
export async function startGatewayServices(
  options: GatewayServicesOptions,
): Promise<GatewayServices> {
  const { config, kv, log, timers, now, policyFile } = options;
  const background = options.backgroundTimers ?? timers;
  const metrics = new GatewayMetrics();
  // Load shedding before memory runs out: a budget for requests in flight from the memory limit.
  const memory = await memoryLimitFrom(
    config.limits.memoryLimitMb,
    options.memoryLimit ?? systemMemoryLimitDeps,
    options.onDenoDeploy ? DENO_DEPLOY_MEMORY_BYTES : undefined,
  );
  const memoryBudgetBytes = memory && memoryBudgetFor(memory.bytes);
  if (memoryBudgetBytes !== undefined) {
    metrics.set("ccgate_memory_budget_bytes", {}, memoryBudgetBytes);
  }
  log({
    level: "info",
    msg: "load shedding",
    max_concurrent: config.limits.maxConcurrentStreams,
    memory_limit_mib: memory && Math.round(memory.bytes / 1024 / 1024),
    memory_limit_from: memory?.source,
    memory_budget_mib: memoryBudgetBytes && Math.round(memoryBudgetBytes / 1024 / 1024),
    memory_user_percent: memoryBudgetBytes && Math.round(config.limits.memoryUserShare * 100),
  });
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: config.limits.maxConcurrentStreams,
    memoryBudgetBytes,
    memoryUserShare: config.limits.memoryUserShare,
    timers,
    log,
    metrics,
  });
  const bedrock = bedrockFromConfig(config, {
    timers,
    lifecycle,
    log,
    metrics,
    random: options.random,
    endpoint: options.endpoint,
    credentials: options.credentials,
    regionalModelId: (id, region) =>
      policyFile && regionalModelId(policyFile.current.document, id, region),
  });

  metrics.gaugeFrom("ccgate_upstream_calls_in_flight", {}, () => lifecycle.active);
  const ledger = new UsageLedger({
    kv,
    timers: background,
    flushIntervalMs: config.ledgerFlushMs,
    writeIntervalMs: config.ledgerWriteMs,
    openRefreshMs: config.ledgerOpenRefreshMs,
    clock: () => now().getTime(),
    log,
    metrics,
    // Tenant rows are read by admins outside the admin tenants only (`reachesEveryTenant`): none
    // with one tenant or no tenant rule.
    tenantRollUps: (tid) => !reachesEveryTenant(tid, config.adminTenants),
  });
  await ledger.recover().catch((err) =>
    log({ level: "error", msg: "usage ledger recovery failed", error: String(err) })
  );
  lifecycle.onDrain(async () => {
    await ledger.close();
  });

  const budgetOverrides = new BudgetOverrides(kv, now);
  await budgetOverrides.refresh();
  const overridesLoop = repeatEvery(
    background,
    config.policySyncMs,
    () =>
      budgetOverrides.refresh().catch((err) =>
        log({ level: "warn", msg: "budget overrides not refreshed", error: String(err) })
      ),
  );
  lifecycle.onDrain(() => overridesLoop[Symbol.dispose]());

  // Counters in memory, reconciled through KV every CCGATE_POLICY_SYNC_MS; flushed on drain.
  const policy = policyFile === undefined ? undefined : new PolicyEngine({
    policy: withBudgetOverrides(policyFile, budgetOverrides),
    file: policyFile,
    kv,
    timers: background,
    now,
    log,
    reconcileIntervalMs: config.policySyncMs,
  });
  if (policyFile) {
    metrics.counterFrom("ccgate_policy_reload_failures_total", {}, () => policyFile.rejections);
    metrics.gaugeFrom("ccgate_policy_file_rejected", {}, () => policyFile.rejected ? 1 : 0);
  }
  if (policy && policyFile) {
    policyFile.start();
    policy.start();
    lifecycle.onDrain(async () => {
      policy[Symbol.dispose]();
      policyFile[Symbol.dispose]();
      await policy.reconcile().catch(() => {});
    });
  }
  // Requests whose gateway died mid-stream (any instance's): rolled up as `interrupted` once they
  // can no longer be running, at start-up and every few minutes. Not awaited: with many streams
  // open elsewhere the listing takes a while, and nothing at start-up needs it.
  // Their budgets are charged what they are known to have used (their admission died with them).
  const sweep = () =>
    ledger.sweep().then(
      (entries) => {
        for (const e of entries) {
          const subject = { sub: e.user, groups: e.groups, roles: e.roles };
          if (e.bedrockModel) {
            policy?.charge(subject, e.bedrockModel, entryUsage(e), new Date(e.at));
          }
        }
        if (entries.length > 0) {
          log({
            level: "warn",
            msg: "usage ledger: interrupted requests",
            entries: entries.length,
          });
        }
      },
      (err) => log({ level: "warn", msg: "usage ledger sweep failed", error: String(err) }),
    );
  sweep();
  const sweepLoop = repeatEvery(background, LEDGER_SWEEP_MS, sweep);
  lifecycle.onDrain(() => sweepLoop[Symbol.dispose]());
  return { lifecycle, bedrock, metrics, ledger, budgetOverrides, policy };
}
