/**
 * Memory limit: the gateway in a container-sized memory limit (a cgroup of
 * 512 MiB, as `docker run --memory=512m` makes), flooded with more streams of
 * the recorded Claude Code request than fit. With its memory budget (read
 * from the cgroup, see gateway/memory_limit.ts) it must shed the excess with
 * 529 and stay alive below the limit; for comparison, the same flood with
 * the budget off (`CCGATE_MEMORY_LIMIT_MB=0`), and with the budget again for
 * requests the size of a long conversation (485 KB, 400 streams). Runs only where the harness
 * may make a cgroup (Linux, root, a writable cgroup filesystem).
 *
 * @module
 */
import { createMemoryCgroup } from "../cgroup.ts";
import { type BenchContext, type GatewayInfo, type ScenarioResult, serversOf } from "../context.ts";
import { type Fixtures, LONG_HISTORY_BYTES, targetRequests, withHistory } from "../fixtures.ts";
import type { HoldResult } from "../loadgen/jobs.ts";
import { rssKiB, runLoadgen, startServer } from "../servers.ts";
import { TARGETS } from "../targets.ts";

/** The container's memory limit, MiB. */
const LIMIT_MIB = 512;
/** Streams opened per second. */
const RAMP_PER_SECOND = 400;
/** Streams of the long-conversation flood. */
const LONG_STREAMS = 400;
/**
 * Settings of the floods with the budget: one token sends every stream, so the
 * share one user may hold (`CCGATE_MEMORY_USER_PERCENT`) is lifted; the
 * instance's whole budget is what is measured.
 */
const ONE_USER = { CCGATE_MEMORY_USER_PERCENT: "100" };
/** Frames per stream and their pacing: every stream is still open when the last one opens. */
const FRAMES = 40;
const PACE_MS = 250;

interface Flood {
  survived: boolean;
  peakMiB: number;
  oomKills: number;
  result?: HoldResult;
}

async function flood(
  context: BenchContext,
  streams: number,
  env: Record<string, string>,
  fixtures: Fixtures = context.fixtures,
): Promise<Flood | string> {
  const servers = serversOf(context);
  const made = await createMemoryCgroup(
    `ccgate-bench-${Deno.pid}-${Date.now()}`,
    LIMIT_MIB * 1024 * 1024,
  );
  if (typeof made === "string") throw new _NotHere(made);
  await using cgroup = made;
  const gateway = await startServer<GatewayInfo>("bench/servers/gateway_server.ts", [
    servers.emulator.info.url,
  ], { cpus: context.serverCpus, env, cgroupProcs: cgroup.procs });
  let exited = false;
  gateway.status.then(() => (exited = true));
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !exited) {
      peak = Math.max(peak, await rssKiB(gateway.pid).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  try {
    const req = targetRequests(
      fixtures,
      {
        emulator: servers.emulator.info.url,
        proxy: servers.proxy.info.url,
        gateway: gateway.info.url,
      },
      gateway.info.token,
      true,
    ).gateway;
    await context.setTiming({ firstByteDelayMs: 0, paceMs: PACE_MS, frames: FRAMES });
    const rampMs = Math.max(500, (streams / RAMP_PER_SECOND) * 1000);
    let result: HoldResult | undefined;
    try {
      result = await runLoadgen<HoldResult>({
        kind: "hold",
        target: req,
        streams,
        rampMs,
        timeoutMs: rampMs + FRAMES * PACE_MS + 15_000,
      }, { cpus: context.loadCpus });
    } catch {
      // A gateway killed mid-flood fails the load generator's streams: the outcome says so.
    }
    sampling = false;
    await sampler;
    return {
      survived: !exited,
      peakMiB: peak / 1024,
      oomKills: await cgroup.oomKills(),
      result,
    };
  } finally {
    sampling = false;
    await gateway.stop();
  }
}

class _NotHere extends Error {}

/** Runs the memory-limit shape. */
export async function runMemoryLimit(context: BenchContext): Promise<ScenarioResult> {
  const spec = TARGETS.find((t) => t.id === "memory_limit")!;
  const streams = context.options.plan.memoryLimitStreams;
  let budgeted: Flood | string;
  let unbudgeted: Flood | string;
  let long: Flood | string;
  try {
    budgeted = await flood(context, streams, ONE_USER);
    context.progress(`  memory limit, with the budget: ${_describe(budgeted)}`);
    unbudgeted = await flood(context, streams, { CCGATE_MEMORY_LIMIT_MB: "0" });
    context.progress(`  memory limit, budget off: ${_describe(unbudgeted)}`);
    const longFixtures = withHistory(context.fixtures, LONG_HISTORY_BYTES);
    long = await flood(context, LONG_STREAMS, ONE_USER, longFixtures);
    context.progress(`  memory limit, long conversations, with the budget: ${_describe(long)}`);
  } catch (err) {
    if (!(err instanceof _NotHere)) throw err;
    context.progress(`  memory limit: not run: ${err.message}`);
    return { rows: [{ spec, note: `not run: ${err.message}` }], details: {} };
  }
  const share = (f: Flood | string) =>
    typeof f === "string" ? Number.NaN : f.survived ? (f.peakMiB / LIMIT_MIB) * 100 : 100;
  // The worse of the two floods with the budget: both must stay below the limit.
  const value = Math.max(share(budgeted), share(long));
  return {
    rows: [{
      spec,
      value: { median: value, min: value, max: value, rounds: [value] },
      note: `${streams} streams opened at ${RAMP_PER_SECOND}/s in ${LIMIT_MIB} MiB: ${
        _describe(budgeted)
      }; with the budget off (CCGATE_MEMORY_LIMIT_MB=0): ${
        _describe(unbudgeted)
      }; ${LONG_STREAMS} streams of long-conversation requests (400 KB of history in front), with the budget: ${
        _describe(long)
      }`,
    }],
    details: { limitMiB: LIMIT_MIB, streams, budgeted, unbudgeted, long },
  };
}

function _describe(f: Flood | string): string {
  if (typeof f === "string") return f;
  const held = f.result === undefined
    ? "the load generator saw every stream fail"
    : `${f.result.completed} streams served, ${f.result.errors} refused or failed`;
  return f.survived
    ? `alive, ${held}, peak RSS ${Math.round(f.peakMiB)} MiB`
    : `killed by the kernel's OOM killer (${f.oomKills} OOM kills) at ${
      Math.round(f.peakMiB)
    } MiB, ${held}`;
}
