/**
 * `deno task bench`: starts the Bedrock emulator, a bare `Deno.serve` +
 * `fetch` proxy and the gateway, each in its own process, measures the
 * gateway against calling the emulator directly and against the proxy with
 * a separate load-generator process, prints a table and writes JSON.
 *
 * `deno task bench [--quick] [--rounds N] [--only s1,s2,s3,memory,long,waiting,limit,scale,startup,token]
 *  [--out bench/results/latest.json] [--no-pin] [--cpu-prof] [--upstream-ms 20] [--pace-ms 20]`
 *
 * See bench/README.md.
 *
 * @module
 */
import type {
  BenchContext,
  BenchServers,
  EmulatorInfo,
  GatewayInfo,
  ProxyInfo,
  ScenarioResult,
} from "./context.ts";
import { loadFixtures, targetRequests } from "./fixtures.ts";
import { readMachine } from "./machine.ts";
import { BenchUsageError, parseBenchOptions, type ScenarioName } from "./options.ts";
import { type MeasuredRow, renderMachine, renderTable, rowVerdict } from "./report.ts";
import { runS1 } from "./scenarios/s1_latency.ts";
import { runS2 } from "./scenarios/s2_throughput.ts";
import { runS3 } from "./scenarios/s3_streams.ts";
import { runMemory, runScale } from "./scenarios/hold_streams.ts";
import { runMemoryLimit } from "./scenarios/memory_limit.ts";
import { runMemoryLong } from "./scenarios/memory_long.ts";
import { runMemoryWaiting } from "./scenarios/memory_waiting.ts";
import { runStartup } from "./scenarios/startup.ts";
import { runToken } from "./scenarios/token_helper.ts";
import { canPin, pinSelf, ROOT, startServer } from "./servers.ts";
import { TARGETS } from "./targets.ts";

const RUNNERS: Record<ScenarioName, (context: BenchContext) => Promise<ScenarioResult>> = {
  s1: runS1,
  s2: runS2,
  s3: runS3,
  memory: runMemory,
  long: runMemoryLong,
  waiting: runMemoryWaiting,
  limit: runMemoryLimit,
  scale: runScale,
  startup: runStartup,
  token: runToken,
};

const NEEDS_SERVERS: ScenarioName[] = [
  "s1",
  "s2",
  "s3",
  "memory",
  "long",
  "waiting",
  "limit",
  "scale",
];

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(Deno.args, Deno.env.toObject());
  } catch (err) {
    if (err instanceof BenchUsageError) {
      console.error(`ccgate bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const began = performance.now();
  const progress = (line: string) => console.error(line);
  const machine = await readMachine();
  const pinned = options.pin && machine.cores >= 2 && await canPin();
  const serverCpus = pinned ? String(machine.cores - 1) : undefined;
  const loadCpus = pinned ? (machine.cores > 2 ? `0-${machine.cores - 2}` : "0") : undefined;
  progress(`ccgate bench (${options.quick ? "quick" : "full"}) on ${renderMachine(machine)}`);
  progress(
    pinned
      ? `  pinned: server under test on CPU ${serverCpus}; emulator, load generator and this process on CPU ${loadCpus}`
      : "  not pinned: every process shares every CPU",
  );

  if (pinned) await pinSelf(loadCpus!);
  const fixtures = await loadFixtures(options.request);
  let servers: BenchServers | undefined;
  const started: { stop(): Promise<void> }[] = [];
  const rows = new Map<string, MeasuredRow>();
  const details: Record<string, unknown> = {};
  try {
    if (options.only.some((s) => NEEDS_SERVERS.includes(s))) {
      const emulator = await startServer<EmulatorInfo>("bench/servers/emulator_server.ts", [], {
        cpus: loadCpus,
      });
      started.push(emulator);
      const probeDir = await Deno.makeTempDir({ prefix: "ccgate-bench-memory-" });
      const memoryFiles = { proxy: `${probeDir}/proxy.json`, gateway: `${probeDir}/gateway.json` };
      started.push({ stop: () => Deno.remove(probeDir, { recursive: true }).catch(() => {}) });
      const proxy = await startServer<ProxyInfo>("bench/servers/proxy_server.ts", [
        emulator.info.url,
      ], {
        cpus: serverCpus,
        denoFlags: ["--v8-flags=--expose-gc"],
        env: { BENCH_MEMORY_FILE: memoryFiles.proxy },
      });
      started.push(proxy);
      if (options.cpuProf) {
        await Deno.mkdir(new URL("bench/results/prof", ROOT), { recursive: true });
      }
      const gateway = await startServer<GatewayInfo>("bench/servers/gateway_server.ts", [
        emulator.info.url,
      ], {
        cpus: serverCpus,
        denoFlags: [
          "--v8-flags=--expose-gc",
          ...(options.cpuProf ? ["--cpu-prof", "--cpu-prof-dir=bench/results/prof"] : []),
        ],
        env: { BENCH_MEMORY_FILE: memoryFiles.gateway },
      });
      started.push(gateway);
      const floor = await startServer<ProxyInfo>("bench/servers/sdk_floor_server.ts", [
        emulator.info.url,
      ], { cpus: serverCpus });
      started.push(floor);
      servers = { emulator, proxy, gateway, floor, memoryFiles };
      progress(
        `  emulator ${emulator.info.url}, proxy ${proxy.info.url}, gateway ${gateway.info.url}`,
      );
    }
    const urls = servers && {
      emulator: servers.emulator.info.url,
      proxy: servers.proxy.info.url,
      gateway: servers.gateway.info.url,
      floor: servers.floor.info.url,
    };
    const context: BenchContext = {
      options,
      servers,
      fixtures,
      requests: (stream) => {
        if (!urls || !servers) throw new Error("Cannot build requests: servers not started");
        return targetRequests(fixtures, urls, servers.gateway.info.token, stream);
      },
      setTiming: async (timing) => {
        if (!servers) return;
        const res = await fetch(`${servers.emulator.info.controlUrl}/timing`, {
          method: "POST",
          body: JSON.stringify(timing),
        });
        await res.body?.cancel();
      },
      whenReceived: async (count, signal) => {
        if (!servers) throw new Error("Cannot count requests: servers not started");
        const url = `${servers.emulator.info.controlUrl}/received?atLeast=${count}`;
        const res = await fetch(url, { signal });
        return (await res.json() as { received: number }).received;
      },
      loadCpus,
      loadCpuCount: pinned ? machine.cores - 1 : undefined,
      serverCpus,
      progress,
    };
    for (const name of options.only) {
      const t0 = performance.now();
      progress(`${name}...`);
      // Processes timed from their start (start-up, `ccgate token`) get every CPU, as they would
      // on a workstation or a server: children inherit this process's CPUs.
      if (pinned && !NEEDS_SERVERS.includes(name)) await pinSelf(`0-${machine.cores - 1}`);
      try {
        const result = await RUNNERS[name](context);
        for (const row of result.rows) rows.set(row.spec.id, row);
        details[name] = result.details;
      } catch (err) {
        progress(`  ${name} failed: ${err instanceof Error ? err.message : err}`);
        details[name] = { error: String(err) };
      }
      progress(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
  }

  const table: MeasuredRow[] = TARGETS.map((spec) =>
    rows.get(spec.id) ?? { spec, note: "not run" }
  );
  const seconds = (performance.now() - began) / 1000;
  console.log(`\n${renderTable(table)}\n`);
  console.log(
    `Measured on ${renderMachine(machine)}; ${options.quick ? "quick" : "full"} run, ` +
      `${options.plan.rounds} round(s) per shape, ${seconds.toFixed(0)} s; ` +
      `Claude Code ${options.request}'s recorded request; ` +
      (pinned ? `server under test pinned to CPU ${serverCpus}.` : "not pinned."),
  );
  const report = {
    date: new Date().toISOString(),
    machine,
    mode: options.quick ? "quick" : "full",
    pinned,
    options: { ...options },
    seconds,
    results: table.map((row) => ({
      id: row.spec.id,
      shape: row.spec.shape,
      measure: row.spec.measure,
      unit: row.spec.unit,
      target: row.spec.target,
      verdict: rowVerdict(row),
      value: row.value ?? null,
      proxy: row.proxy ?? null,
      note: row.note ?? null,
    })),
    details,
  };
  const out = new URL(options.out, `file://${Deno.cwd()}/`);
  await Deno.mkdir(new URL(".", out), { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`JSON: ${out.pathname}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
