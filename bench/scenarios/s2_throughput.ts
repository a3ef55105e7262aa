/**
 * S2: open-loop load (requests on a fixed schedule, latency counted from the
 * scheduled time), non-streamed, the emulator answering after 20 ms. For the
 * gateway and the bare proxy: the highest rate whose p99 stays within 10 ms
 * of the direct call's unloaded p99 with under 0.1 % errors, found by a
 * ×1.5 ladder then bisection. The measure is gateway / proxy. The SDK floor
 * (servers/sdk_floor_server.ts) is searched the same way, for the note: the
 * rate any gateway that reads the request and calls the SDK reaches here.
 *
 * Each round first runs the gateway, the proxy and the SDK floor in turn at
 * one fixed rate (`--s2-rate`) and reports their p99 added over the same
 * direct p99: the search measures the worst stall of the worst trial, which
 * on a noisy VM swings more than any change to the gateway does.
 *
 * @module
 */
import { type BenchContext, type ScenarioResult, serversOf } from "../context.ts";
import type { OpenLoopResult, RequestSpec } from "../loadgen/jobs.ts";
import { summarize, summarizeRounds } from "../percentiles.ts";
import { runLoadgen } from "../servers.ts";
import { TARGETS } from "../targets.ts";

/** Most p99 latency a rate may add over the unloaded direct p99, ms. */
export const ADDED_P99_LIMIT_MS = 10;
/** Largest error share a rate may have. */
export const ERROR_LIMIT = 0.001;
/** Fewest measured requests per trial. */
const MIN_SAMPLES = 200;
/** Rate of the direct calls whose p99 the limit is added to, req/s. */
const BASELINE_RATE = 20;
/** First rate of the ladder, req/s. */
const START_RATE = 50;
/** Rates above this are not tried (the load generator's own limit on 2 cores is lower). */
const MAX_RATE = 20_000;

/** One rate tried. */
interface Trial {
  rate: number;
  p99: number;
  errors: number;
  scheduled: number;
  maxLagMs: number;
  ok: boolean;
  /** Which server, in the fixed-rate trials (the search's trials are listed per server). */
  server?: string;
}

async function trial(
  context: BenchContext,
  target: RequestSpec,
  rate: number,
  limitP99: number,
  measureMs = context.options.plan.s2TrialMs,
): Promise<Trial> {
  const { plan } = context.options;
  // At least MIN_SAMPLES measured requests, so that the p99 is not just the slowest one.
  const durationMs = Math.max(measureMs, Math.ceil((MIN_SAMPLES / rate) * 1000));
  const result = await runLoadgen<OpenLoopResult>({
    kind: "open_loop",
    target,
    rate,
    durationMs,
    warmupMs: Math.round(plan.s2TrialMs / 3),
    maxInFlight: 4_000,
  }, { cpus: context.loadCpus });
  const p99 = result.latencies.length > 0 ? summarize(result.latencies).p99 : Infinity;
  const ok = p99 <= limitP99 && result.errors / Math.max(1, result.scheduled) < ERROR_LIMIT;
  return {
    rate,
    p99,
    errors: result.errors,
    scheduled: result.scheduled,
    maxLagMs: result.maxLagMs,
    ok,
  };
}

function report(context: BenchContext, target: RequestSpec, t: Trial): void {
  context.progress(
    `    ${target.name} ${t.rate} req/s: p99 ${
      t.p99.toFixed(1)
    } ms, ${t.errors}/${t.scheduled} errors, ` +
      `generator lag ${t.maxLagMs.toFixed(0)} ms: ${t.ok ? "ok" : "over"}`,
  );
}

/** The highest passing rate: a ladder from `start`, then `refine` bisection steps. */
async function maxRate(
  context: BenchContext,
  target: RequestSpec,
  start: number,
  limitP99: number,
  trials: Trial[],
  deadline: number,
): Promise<number> {
  let pass = 0;
  let fail = Infinity;
  let rate = start;
  const inTime = () => performance.now() < deadline;
  while (rate <= MAX_RATE && inTime()) {
    const t = await trial(context, target, Math.round(rate), limitP99);
    trials.push(t);
    report(context, target, t);
    if (!t.ok) {
      fail = t.rate;
      break;
    }
    pass = t.rate;
    rate *= 1.5;
  }
  if (pass === 0 && fail > 10) {
    // Even the first rate failed: walk down instead.
    for (let r = fail / 2; r >= 10 && pass === 0 && inTime(); r /= 2) {
      const t = await trial(context, target, Math.round(r), limitP99);
      trials.push(t);
      report(context, target, t);
      if (t.ok) pass = t.rate;
      else fail = t.rate;
    }
  }
  for (
    let i = 0;
    i < context.options.plan.s2Refine && fail !== Infinity && pass > 0 && inTime();
    i++
  ) {
    const mid = Math.round(Math.sqrt(pass * fail));
    if (mid <= pass || mid >= fail) break;
    const t = await trial(context, target, mid, limitP99);
    trials.push(t);
    report(context, target, t);
    if (t.ok) pass = mid;
    else fail = mid;
  }
  return pass;
}

/** The servers of S2, in the order of a round. */
type ServerName = "gateway" | "proxy" | "floor";

/** One round's p99 at the fixed rate, per server, added over the direct p99 at 20 req/s. */
async function fixedRate(
  context: BenchContext,
  req: Partial<Record<ServerName, RequestSpec>>,
  order: readonly ServerName[],
  baselineP99: number,
  trials: Trial[],
): Promise<Partial<Record<ServerName, { added: number; ok: boolean }>>> {
  const { plan, s2Rate } = context.options;
  const added: Partial<Record<ServerName, { added: number; ok: boolean }>> = {};
  for (const name of order) {
    const t = await trial(
      context,
      req[name]!,
      s2Rate,
      baselineP99 + ADDED_P99_LIMIT_MS,
      plan.s2FixedMs,
    );
    trials.push({ ...t, server: name });
    report(context, req[name]!, t);
    added[name] = { added: t.p99 - baselineP99, ok: t.ok };
  }
  return added;
}

/** "name p99 +x ms (k/n within the bound)" for the fixed-rate note. */
function fixedNote(
  name: string,
  rounds: readonly { added: number; ok: boolean }[],
): string {
  if (rounds.length === 0) return "";
  const median = summarizeRounds(rounds.map((r) => r.added)).median;
  return `${name} +${median.toFixed(1)} ms (${
    rounds.filter((r) => r.ok).length
  }/${rounds.length} rounds within bound)`;
}

/** Runs S2. */
export async function runS2(context: BenchContext): Promise<ScenarioResult> {
  serversOf(context);
  const { plan, upstreamMs } = context.options;
  await context.setTiming({ firstByteDelayMs: upstreamMs });
  const req = context.requests(false);
  const rounds: {
    baselineP99: number;
    gateway: number;
    proxy: number;
    floor?: number;
    ratio: number;
    fixed: Partial<Record<ServerName, { added: number; ok: boolean }>>;
  }[] = [];
  const trials: Record<string, Trial[]> = { gateway: [], proxy: [], floor: [], fixed: [] };
  const names = req.floor
    ? (["gateway", "floor", "proxy"] as const)
    : (["gateway", "proxy"] as const);
  const start: Record<string, number> = {
    gateway: START_RATE,
    proxy: START_RATE,
    floor: START_RATE,
  };
  for (let r = 0; r < plan.rounds; r++) {
    // As many samples as a trial has at least: a p99 of 40 samples was their largest, so one
    // pause of this machine moved every limit of the round.
    const baseline = await runLoadgen<OpenLoopResult>({
      kind: "open_loop",
      target: req.direct,
      rate: BASELINE_RATE,
      durationMs: Math.ceil((MIN_SAMPLES / BASELINE_RATE) * 1000),
      warmupMs: 500,
      maxInFlight: 100,
    }, { cpus: context.loadCpus });
    const baselineP99 = summarize(baseline.latencies).p99;
    const limit = baselineP99 + ADDED_P99_LIMIT_MS;
    context.progress(
      `  S2 round ${r + 1}: direct p99 at ${BASELINE_RATE} req/s ${baselineP99.toFixed(2)} ms`,
    );
    const order = r % 2 === 0 ? names : [...names].reverse();
    const fixed = await fixedRate(context, req, order, baselineP99, trials.fixed!);
    const found: Record<string, number> = {};
    for (const name of order) {
      const deadline = performance.now() + plan.s2BudgetMs / (plan.rounds * names.length);
      found[name] = await maxRate(
        context,
        req[name]!,
        start[name]!,
        limit,
        trials[name]!,
        deadline,
      );
    }
    for (const name of names) start[name] = Math.max(20, found[name]! * 0.75);
    const gateway = found.gateway!;
    const proxy = found.proxy!;
    const ratio = proxy > 0 ? gateway / proxy : Number.NaN;
    rounds.push({ baselineP99, gateway, proxy, floor: found.floor, ratio, fixed });
    context.progress(
      `  S2 round ${r + 1}: gateway ${gateway} req/s, proxy ${proxy} req/s, ratio ${
        ratio.toFixed(2)
      }${found.floor === undefined ? "" : `; SDK floor ${found.floor} req/s`}`,
    );
  }
  const gateway = summarizeRounds(rounds.map((r) => r.gateway)).median;
  const proxy = summarizeRounds(rounds.map((r) => r.proxy)).median;
  const floors = rounds.flatMap((r) => r.floor === undefined ? [] : [r.floor]);
  const floor = floors.length > 0 ? summarizeRounds(floors).median : undefined;
  // A round where even the bare proxy met no rate has no ratio (a machine too busy to measure).
  const ratios = rounds.map((r) => r.ratio).filter((r) => Number.isFinite(r));
  const skipped = rounds.length - ratios.length;
  const fixedOf = (name: ServerName) => rounds.flatMap((r) => r.fixed[name] ?? []);
  const fixedGateway = fixedOf("gateway");
  const fixedProxy = fixedOf("proxy");
  return {
    rows: [{
      spec: TARGETS.find((t) => t.id === "s2_fixed_p99")!,
      value: fixedGateway.length > 0
        ? summarizeRounds(fixedGateway.map((f) => f.added))
        : undefined,
      proxy: fixedProxy.length > 0
        ? summarizeRounds(fixedProxy.map((f) => f.added)).median
        : undefined,
      note:
        `at ${context.options.s2Rate} req/s for ${
          Math.round(plan.s2FixedMs / 1000)
        } s, the three taking turns; medians: ` +
        [
          fixedNote("gateway", fixedGateway),
          fixedNote("bare proxy", fixedProxy),
          fixedNote("SDK floor", fixedOf("floor")),
        ].filter((n) => n !== "").join(", ") +
        `; direct p99 at ${BASELINE_RATE} req/s ${
          summarizeRounds(rounds.map((r) => r.baselineP99)).median.toFixed(1)
        } ms`,
    }, {
      spec: TARGETS.find((t) => t.id === "s2_ratio")!,
      value: ratios.length > 0 ? summarizeRounds(ratios) : undefined,
      proxy: 1,
      note:
        `gateway ${Math.round(gateway)} req/s, bare proxy ${Math.round(proxy)} req/s${
          floor === undefined
            ? ""
            : `, SDK floor (parse + InvokeModel through the SDK, nothing else) ${
              Math.round(floor)
            } req/s`
        } (medians; ${upstreamMs} ms upstream)` +
        (skipped > 0 ? `; ${skipped} round(s) where the bare proxy met no rate left out` : ""),
    }],
    details: { rounds, trials },
  };
}
