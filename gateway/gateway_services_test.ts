import { assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { BudgetOverrides } from "./admin/budget_overrides.ts";
import { loadGatewayConfig } from "./config.ts";
import { startGatewayServices } from "./gateway_services.ts";
import { PolicyFile } from "./policy/policy_file.ts";
import { largestBodyFor, memoryBudgetFor } from "./memory_budget.ts";
import { ENTRY_PREFIX, OPEN_PREFIX, openKey } from "./ledger/roll_up_entry.ts";
import { ledgerEntry } from "../testing/ledger_fixtures.ts";
import type { LedgerEntry } from "./ledger/ledger_entry.ts";

Deno.test("startGatewayServices() re-reads budget overrides on its timers, and the drain stops it", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const config = loadGatewayConfig({ CCGATE_POLICY_SYNC_MS: "5000", AWS_REGION: "us-east-1" });
  const services = await startGatewayServices({
    config,
    kv,
    log: () => {},
    timers,
    now: () => new Date("2026-11-30T10:00:00Z"),
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  assertEquals(timers.delays, [5_000, 300_000], "the re-read and the ledger sweep, on its timers");

  // An admin on another instance sets an override: this instance sees it at the next re-read.
  await new BudgetOverrides(kv, () => new Date("2026-11-30T10:00:00Z")).set({
    user: "alice",
    budgets: { daily_usd: 50 },
    expiresAt: null,
    reason: "launch week",
    setBy: "admin",
    setAt: "2026-11-30T10:00:00Z",
  });
  assertEquals(services.budgetOverrides.active("alice"), undefined);
  timers.advance(5_000);
  await timers.whenPending(5_000); // re-armed once the read has finished
  assertEquals(services.budgetOverrides.active("alice")?.budgets, { daily_usd: 50 });

  await services.lifecycle.drain(0);
  assertEquals(timers.pending, 0, "the drain cleared the re-read");
});

Deno.test("startGatewayServices() rolls up a dead gateway's open requests as interrupted, at start-up and on its timer", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const at = new Date("2026-11-30T10:00:00Z");
  const open = (id: string, until: number) =>
    kv.set(openKey(until, id), {
      entry: ledgerEntry({ requestId: id, outcome: "interrupted", day: "2026-11-30" }),
      until,
    });
  await open("req_dead", at.getTime() - 1);
  await open("req_later", at.getTime() + 60_000);
  let now = at;
  const services = await startGatewayServices({
    config: loadGatewayConfig({ AWS_REGION: "us-east-1" }),
    kv,
    log: () => {},
    timers,
    now: () => now,
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  const entry = (id: string) => kv.get<LedgerEntry>([...ENTRY_PREFIX, "2026-11-30", id]);
  // The start-up sweep runs in the background: wait for its result, not for a time.
  while ((await entry("req_dead")).value === null) await new Promise((r) => setTimeout(r, 5));
  assertEquals((await entry("req_dead")).value?.outcome, "interrupted", "swept at start-up");
  assertEquals((await entry("req_later")).value, null, "not before its time");
  now = new Date(at.getTime() + 300_000);
  timers.advance(300_000);
  await timers.whenPending(300_000); // the sweep ran and re-armed
  assertEquals((await entry("req_later")).value?.outcome, "interrupted");
  for await (const _ of kv.list({ prefix: OPEN_PREFIX })) throw new Error("an open record is left");
  await services.lifecycle.drain(0);
  assertEquals(timers.pending, 0);
});

Deno.test("startGatewayServices() charges an interrupted request's known usage to its user's budget", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const at = new Date("2026-11-30T10:00:00Z");
  const haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
  const policyFile = await PolicyFile.open({
    path: "policy.yaml",
    timers,
    log: () => {},
    intervalMs: 0,
    readTextFile: () =>
      Promise.resolve(
        `models:\n  haiku:\n    bedrock: ${haiku}\n    price: { input: 1, output: 5 }\n` +
          "defaults:\n  budgets:\n    daily_tokens: 100000\n",
      ),
  });
  const entry = ledgerEntry({
    requestId: "req_dead",
    user: "alice",
    groups: [],
    roles: [],
    bedrockModel: haiku,
    outcome: "interrupted",
    inputTokens: 4_000,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  });
  await kv.set(openKey(at.getTime() - 1, entry.requestId), { entry, until: at.getTime() - 1 });
  const logged: string[] = [];
  const services = await startGatewayServices({
    config: loadGatewayConfig({ AWS_REGION: "us-east-1" }),
    kv,
    log: (r) => logged.push(r.msg),
    timers,
    now: () => at,
    policyFile,
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  const spent = async () =>
    (await services.policy!.describe({ sub: "alice", groups: [], roles: [] })).budgets[0]!.spent;
  // The start-up sweep runs in the background and logs once it has charged: wait for that line.
  while (!logged.includes("usage ledger: interrupted requests")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assertEquals(await spent(), 4_001);
  await services.lifecycle.drain(0);
});

Deno.test("startGatewayServices() sizes the memory budget from the container's limit, and says so", async () => {
  using kv = await Deno.openKv(":memory:");
  const logs: Record<string, unknown>[] = [];
  const files: Record<string, string> = {
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": String(1024 * 1024 * 1024),
  };
  const start = (env: Record<string, string>, onDenoDeploy?: boolean) =>
    startGatewayServices({
      config: loadGatewayConfig({ AWS_REGION: "us-east-1", ...env }),
      kv,
      log: (record) => logs.push(record),
      timers: new FakeTimers(),
      now: () => new Date("2026-11-30T10:00:00Z"),
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
      memoryLimit: {
        readTextFile: (path) =>
          path in files ? Promise.resolve(files[path]!) : Promise.reject(new Error("NotFound")),
        totalMemory: () => 64 * 1024 * 1024 * 1024,
      },
      onDenoDeploy,
    });

  const fromCgroup = await start({});
  const budget = memoryBudgetFor(1024 * 1024 * 1024);
  assertEquals(fromCgroup.metrics.value("ccgate_memory_budget_bytes"), budget);
  assertEquals(fromCgroup.lifecycle.refusal(largestBodyFor(budget) + 1)?.status, 413);
  assertEquals(logs.find((r) => r.msg === "load shedding"), {
    level: "info",
    msg: "load shedding",
    max_concurrent: 4096,
    memory_limit_mib: 1024,
    memory_limit_from: "cgroup",
    memory_budget_mib: Math.round(budget / 1024 / 1024),
    memory_user_percent: 60,
  });
  await fromCgroup.lifecycle.drain(0);

  // No cgroup limit: the machine's memory, except where the machine is shared (Deno Deploy: 512 MB).
  files["/sys/fs/cgroup/memory.max"] = "max";
  const fromMachine = await start({});
  assertEquals(
    fromMachine.metrics.value("ccgate_memory_budget_bytes"),
    memoryBudgetFor(64 * 1024 * 1024 * 1024),
  );
  await fromMachine.lifecycle.drain(0);
  const onDeploy = await start({}, true);
  assertEquals(
    onDeploy.metrics.value("ccgate_memory_budget_bytes"),
    memoryBudgetFor(512 * 1024 * 1024),
  );
  await onDeploy.lifecycle.drain(0);
  const setting = await start({ CCGATE_MEMORY_LIMIT_MB: "2048" }, true);
  assertEquals(
    setting.metrics.value("ccgate_memory_budget_bytes"),
    memoryBudgetFor(2048 * 1024 * 1024),
  );
  await setting.lifecycle.drain(0);
  const off = await start({ CCGATE_MEMORY_LIMIT_MB: "0" });
  assertEquals(off.metrics.value("ccgate_memory_budget_bytes"), 0);
  assertEquals(off.lifecycle.refusal(1024 * 1024 * 1024), undefined, "no budget: no limit");
  await off.lifecycle.drain(0);
});
