/**
 * `ccgate token` with a cached valid token, run as Claude Code's apiKeyHelper
 * runs it (`deno task cli token`'s `deno run` command), timed by
 * client/cli/token_bench.ts.
 *
 * @module
 */
import { benchToken } from "../../client/cli/token_bench.ts";
import type { BenchContext, ScenarioResult } from "../context.ts";
import { summarizeRounds } from "../percentiles.ts";
import { TARGETS } from "../targets.ts";

/** Runs the helper measure. */
export async function runToken(context: BenchContext): Promise<ScenarioResult> {
  const report = await benchToken(context.options.plan.tokenRuns);
  context.progress(
    `  ccgate token: median ${report.medianMs} ms, p90 ${report.p90Ms} ms, ${report.minMs}–${report.maxMs} ms`,
  );
  return {
    rows: [{
      spec: TARGETS.find((t) => t.id === "helper_token")!,
      value: summarizeRounds([report.medianMs]),
      note:
        `${report.runs} runs: median ${report.medianMs} ms, p90 ${report.p90Ms} ms, min ${report.minMs} – max ${report.maxMs} ms`,
    }],
    details: { ...report },
  };
}
