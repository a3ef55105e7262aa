/**
 * Start-up: from spawning `deno run` to the first 200 on `/healthz`, for the
 * root main.ts (gateway + auth, local default: emulated Entra and Bedrock, a
 * KV file) run as `deno task start` runs it, and for gateway/main.ts alone
 * (AWS settings given, so no emulator in-process). One unmeasured run first
 * fills Deno's module cache, as on a deployed machine.
 *
 * @module
 */
import type { BenchContext, ScenarioResult } from "../context.ts";
import { summarize, summarizeRounds } from "../percentiles.ts";
import { ROOT } from "../servers.ts";
import { TARGETS } from "../targets.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Start-up of one process: first 200 on /healthz, then the app's first answer. */
interface StartupTiming {
  /** Spawn to the first 200 on `/healthz`, ms. */
  healthyMs: number;
  /** Spawn to the first answer from the app itself (`/v1/models`: 401 without a token, not 503), ms. */
  readyMs: number;
}

/**
 * Spawns `deno <args>` with PORT set and times it to the first 200 on
 * /healthz, then to the first answer of the app (a starting process answers
 * 503 everywhere but /healthz).
 */
async function timeToHealthy(args: string[], env: Record<string, string>): Promise<StartupTiming> {
  const port = freePort();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env, PORT: String(port) },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream());
  let errText = "";
  const drained = (async () => {
    for await (const t of stderr) errText = (errText + t).slice(-4000);
  })();
  let exited = false;
  child.status.then(() => (exited = true));
  let healthyMs: number | undefined;
  try {
    for (;;) {
      if (exited) throw new Error(`Cannot time start-up: the process exited\n${errText}`);
      if (performance.now() - started > 20_000) {
        throw new Error("Cannot time start-up: not ready in 20 s");
      }
      try {
        const path = healthyMs === undefined ? "/healthz" : "/v1/models";
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.body?.cancel();
        const now = performance.now() - started;
        if (healthyMs === undefined) {
          if (res.status === 200) healthyMs = now;
        } else if (res.status !== 503) {
          return { healthyMs, readyMs: now };
        }
      } catch {
        // Not listening yet.
      }
      // Polling is the measurement: the first answer is timed to within this pause.
      await sleep(1);
    }
  } finally {
    if (!exited) child.kill("SIGKILL");
    await child.status;
    await drained.catch(() => {});
  }
}

/** Runs the start-up measures. */
export async function runStartup(context: BenchContext): Promise<ScenarioResult> {
  const runs = context.options.plan.startupRuns;
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const startArgs = (denoJson.tasks.start as string).split(" ").slice(1);
  const kvDir = await Deno.makeTempDir({ prefix: "ccgate-bench-kv-" });
  // The permissions gateway/main.ts documents in its header (`deno run ... gateway/main.ts`).
  const gatewayDoc = await Deno.readTextFile(new URL("gateway/main.ts", ROOT));
  const gatewayArgs = (/`deno run ([^`]*gateway\/main\.ts)`/.exec(gatewayDoc)?.[1] ??
    "--allow-net --allow-env --allow-read --allow-write --allow-sys gateway/main.ts").split(" ");
  gatewayArgs.unshift("run");
  const bedrock = context.servers?.emulator.info.url ?? "http://127.0.0.1:9";
  const entries = {
    startup_main: {
      args: startArgs,
      env: { CCGATE_KV_PATH: `${kvDir}/kv.sqlite3` },
    },
    startup_gateway: {
      args: gatewayArgs,
      env: {
        CCGATE_KV_PATH: `${kvDir}/gateway-kv.sqlite3`,
        CCGATE_ISSUER: "http://127.0.0.1:9",
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock,
      },
    },
  };
  const rows = [];
  const details: Record<string, number[]> = {};
  try {
    for (const [id, entry] of Object.entries(entries)) {
      const times: number[] = [];
      const ready: number[] = [];
      try {
        await timeToHealthy(entry.args, entry.env); // fills the module cache
        for (let i = 0; i < runs; i++) {
          const t = await timeToHealthy(entry.args, entry.env);
          times.push(t.healthyMs);
          ready.push(t.readyMs);
        }
      } catch (err) {
        context.progress(`  ${id} failed: ${err instanceof Error ? err.message : err}`);
        rows.push({
          spec: TARGETS.find((t) => t.id === id)!,
          note: "failed to start, see the log",
        });
        continue;
      }
      details[id] = times;
      details[`${id}_ready`] = ready;
      const s = summarize(times);
      const r = summarize(ready);
      context.progress(
        `  ${id}: median ${s.median.toFixed(0)} ms (${
          times.map((t) => t.toFixed(0)).join(", ")
        }); app ready at ${r.median.toFixed(0)} ms`,
      );
      rows.push({
        spec: TARGETS.find((t) => t.id === id)!,
        value: summarizeRounds(times),
        note:
          `${runs} runs after one to fill the module cache; the app itself answers (/v1/models) at ${
            r.median.toFixed(0)
          } ms (median)`,
      });
    }
  } finally {
    await Deno.remove(kvDir, { recursive: true }).catch(() => {});
  }
  return { rows, details };
}
