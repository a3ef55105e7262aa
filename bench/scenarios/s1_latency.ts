/**
 * S1: one request at a time, non-streamed, the recorded Claude Code request,
 * the emulator answering at once. Added latency = the gateway's (or the bare
 * proxy's) median / p99 minus the direct call's, per round. The SDK floor
 * (servers/sdk_floor_server.ts: parse the body, call InvokeModel through
 * ccgate's SDK client, nothing else) is measured in a second pass of each
 * round, taking turns with the direct call and the proxy as the gateway did
 * in the first: its added latency and CPU per request, in the note, are what
 * any gateway that reads the request and calls Bedrock through the SDK pays
 * on this runtime.
 *
 * @module
 */
import { type BenchContext, type ScenarioResult, serversOf } from "../context.ts";
import type { SequentialResult } from "../loadgen/jobs.ts";
import { summarize, summarizeRounds } from "../percentiles.ts";
import { cpuMs, runLoadgen } from "../servers.ts";
import { TARGETS } from "../targets.ts";
import { ownWork, ownWorkNote } from "../own_work.ts";

const spec = (id: string) => TARGETS.find((t) => t.id === id)!;

/** Runs S1. */
export async function runS1(context: BenchContext): Promise<ScenarioResult> {
  const servers = serversOf(context);
  const { plan } = context.options;
  await context.setTiming({ firstByteDelayMs: 0 });
  const req = context.requests(false);
  const floor = req.floor;
  if (floor === undefined) throw new Error("Cannot run S1: the SDK floor server is not running");
  const rounds: Record<string, number>[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const sent = plan.s1Requests + plan.s1Warmup;
    const gatewayCpu = await cpuMs(servers.gateway.pid);
    const proxyCpu = await cpuMs(servers.proxy.pid);
    const result = await runLoadgen<SequentialResult>({
      kind: "sequential",
      targets: [req.direct, req.proxy, req.gateway],
      requests: plan.s1Requests,
      warmup: plan.s1Warmup,
    }, { cpus: context.loadCpus });
    const gatewayCpuMs = (await cpuMs(servers.gateway.pid) - gatewayCpu) / sent;
    const proxyCpuMs = (await cpuMs(servers.proxy.pid) - proxyCpu) / sent;
    // The SDK floor in a pass of its own, in the same company (the direct call and the proxy take
    // turns with it as with the gateway), so that neither pays for the other's caches on the core.
    const floorCpu = await cpuMs(servers.floor.pid);
    const floorPass = await runLoadgen<SequentialResult>({
      kind: "sequential",
      targets: [req.direct, req.proxy, floor],
      requests: plan.s1Requests,
      warmup: plan.s1Warmup,
    }, { cpus: context.loadCpus });
    const floorCpuMs = (await cpuMs(servers.floor.pid) - floorCpu) / sent;
    for (const [name, n] of Object.entries(floorPass.errors)) {
      result.errors[`${name} (floor pass)`] = n;
    }
    result.firstError ??= floorPass.firstError;
    const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
    if (errors > 0) {
      context.progress(`  S1 round ${r + 1}: ${errors} errors; first: ${result.firstError}`);
    }
    const d = summarize(result.latencies.direct!);
    const p = summarize(result.latencies.proxy!);
    const g = summarize(result.latencies.gateway!);
    const f = summarize(floorPass.latencies.floor!);
    const fd = summarize(floorPass.latencies.direct!);
    const round = {
      directMedian: d.median,
      directP99: d.p99,
      proxyMedian: p.median,
      proxyP99: p.p99,
      gatewayMedian: g.median,
      gatewayP99: g.p99,
      addedMedian: g.median - d.median,
      addedP99: g.p99 - d.p99,
      proxyAddedMedian: p.median - d.median,
      proxyAddedP99: p.p99 - d.p99,
      floorAddedMedian: f.median - fd.median,
      floorAddedP99: f.p99 - fd.p99,
      gatewayCpuMsPerRequest: gatewayCpuMs,
      ...ownWork(result.gatewayMs.gateway ?? []),
      proxyCpuMsPerRequest: proxyCpuMs,
      floorCpuMsPerRequest: floorCpuMs,
      errors,
    };
    rounds.push(round);
    context.progress(
      `  S1 round ${r + 1}: direct ${d.median.toFixed(2)}/${d.p99.toFixed(2)} ms, proxy ${
        p.median.toFixed(2)
      }/${p.p99.toFixed(2)} ms, gateway ${g.median.toFixed(2)}/${
        g.p99.toFixed(2)
      } ms (median/p99); SDK floor pass: direct ${fd.median.toFixed(2)}, floor ${
        f.median.toFixed(2)
      }/${f.p99.toFixed(2)} ms`,
    );
  }
  const med = (key: string) => summarizeRounds(rounds.map((r) => r[key]!));
  const errors = rounds.reduce((a, r) => a + r.errors!, 0);
  const absolute = `direct ${med("directMedian").median.toFixed(2)} ms, gateway ${
    med("gatewayMedian").median.toFixed(2)
  } ms median; CPU/request gateway ${med("gatewayCpuMsPerRequest").median.toFixed(2)} ms, proxy ${
    med("proxyCpuMsPerRequest").median.toFixed(2)
  } ms, SDK floor ${
    med("floorCpuMsPerRequest").median.toFixed(2)
  } ms; SDK floor (parse + InvokeModel through the SDK, nothing else) added ${
    med("floorAddedMedian").median.toFixed(2)
  } ms median, ${med("floorAddedP99").median.toFixed(2)} ms p99; ${ownWorkNote(rounds)}${
    errors > 0 ? `; ${errors} errors` : ""
  }`;
  return {
    rows: [
      {
        spec: spec("s1_added_median"),
        value: med("addedMedian"),
        proxy: med("proxyAddedMedian").median,
        note: absolute,
      },
      {
        spec: spec("s1_added_p99"),
        value: med("addedP99"),
        proxy: med("proxyAddedP99").median,
        note: `direct p99 ${med("directP99").median.toFixed(2)} ms, gateway p99 ${
          med("gatewayP99").median.toFixed(2)
        } ms`,
      },
    ],
    details: { requestsPerRound: plan.s1Requests, rounds },
  };
}
