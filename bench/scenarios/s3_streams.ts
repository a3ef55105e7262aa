/**
 * S3: streams of 64 frames, 20 ms apart, after the upstream first-byte delay,
 * a few at a time. Added time to first token = p99 of (request start to first
 * body chunk) minus the direct call's; added inter-frame gap = p99 of the time
 * between body chunks minus the direct call's.
 *
 * @module
 */
import { type BenchContext, type ScenarioResult, serversOf } from "../context.ts";
import type { StreamsResult } from "../loadgen/jobs.ts";
import { summarize, summarizeRounds } from "../percentiles.ts";
import { runLoadgen } from "../servers.ts";
import { TARGETS } from "../targets.ts";
import { ownWork, ownWorkNote } from "../own_work.ts";

const spec = (id: string) => TARGETS.find((t) => t.id === id)!;

/** Runs S3. */
export async function runS3(context: BenchContext): Promise<ScenarioResult> {
  serversOf(context);
  const { plan, upstreamMs, paceMs } = context.options;
  await context.setTiming({ firstByteDelayMs: upstreamMs, paceMs, frames: 64 });
  const req = context.requests(true);
  const rounds: Record<string, number>[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const result = await runLoadgen<StreamsResult>({
      kind: "streams",
      targets: [req.direct, req.proxy, req.gateway],
      streams: plan.s3Streams,
      concurrency: plan.s3Concurrency,
    }, { cpus: context.loadCpus });
    const errors = Object.values(result.stats).reduce((a, s) => a + s.errors, 0);
    if (errors > 0) {
      context.progress(`  S3 round ${r + 1}: ${errors} errors; first: ${result.firstError}`);
    }
    const ttft = (name: string) => summarize(result.stats[name]!.ttft);
    const gaps = (name: string) => summarize(result.stats[name]!.gaps);
    const [dT, pT, gT] = [ttft("direct"), ttft("proxy"), ttft("gateway")];
    const [dG, pG, gG] = [gaps("direct"), gaps("proxy"), gaps("gateway")];
    rounds.push({
      directTtftP99: dT.p99,
      proxyTtftP99: pT.p99,
      gatewayTtftP99: gT.p99,
      directGapP99: dG.p99,
      proxyGapP99: pG.p99,
      gatewayGapP99: gG.p99,
      gatewayGapMax: gG.max,
      addedTtftP99: gT.p99 - dT.p99,
      proxyAddedTtftP99: pT.p99 - dT.p99,
      addedGapP99: gG.p99 - dG.p99,
      proxyAddedGapP99: pG.p99 - dG.p99,
      gapsMeasured: gG.n,
      ...ownWork(result.stats.gateway!.gatewayMs),
      errors,
    });
    context.progress(
      `  S3 round ${r + 1}: TTFT p99 direct ${dT.p99.toFixed(2)}, proxy ${
        pT.p99.toFixed(2)
      }, gateway ${gT.p99.toFixed(2)} ms; gap p99 direct ${dG.p99.toFixed(2)}, proxy ${
        pG.p99.toFixed(2)
      }, gateway ${gG.p99.toFixed(2)} ms`,
    );
  }
  const med = (key: string) => summarizeRounds(rounds.map((r) => r[key]!));
  const errors = rounds.reduce((a, r) => a + r.errors!, 0);
  return {
    rows: [
      {
        spec: spec("s3_ttft_p99"),
        value: med("addedTtftP99"),
        proxy: med("proxyAddedTtftP99").median,
        note: `TTFT p99 direct ${med("directTtftP99").median.toFixed(2)} ms, gateway ${
          med("gatewayTtftP99").median.toFixed(2)
        } ms (first-byte delay ${upstreamMs} ms, ${plan.s3Concurrency} streams opened at once); ${
          ownWorkNote(rounds)
        }${errors > 0 ? `; ${errors} errors` : ""}`,
      },
      {
        spec: spec("s3_gap_p99"),
        value: med("addedGapP99"),
        proxy: med("proxyAddedGapP99").median,
        note: `gap p99 direct ${med("directGapP99").median.toFixed(2)} ms, gateway ${
          med("gatewayGapP99").median.toFixed(2)
        } ms (pace ${paceMs} ms)`,
      },
    ],
    details: { streamsPerRound: plan.s3Streams, concurrency: plan.s3Concurrency, rounds },
  };
}
