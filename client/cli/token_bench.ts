/**
 * Measures the wall time of `ccgate token` with a cached valid token, run as
 * `deno task cli token` runs it (`deno run` with the task's permissions), as
 * Claude Code's apiKeyHelper would. Target: under 100 ms.
 *
 * `deno run --allow-all client/cli/token_bench.ts [runs]` prints a JSON
 * report; `benchToken()` returns it (for the root `deno task bench`).
 *
 * @module
 */
import { CLI_ARGS } from "../_testing/cli.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { saveCliConfig } from "./cli_config.ts";

/** What {@linkcode benchToken} measured, in milliseconds. */
export interface TokenBenchReport {
  name: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  targetMs: number;
}

/** Runs `ccgate token` `runs` times against a seeded file store; returns the timings. */
export async function benchToken(runs = 20): Promise<TokenBenchReport> {
  const dir = await Deno.makeTempDir();
  try {
    await new FileTokenStore(`${dir}/session.json`).save({
      issuer: "http://127.0.0.1:9",
      tokenEndpoint: "http://127.0.0.1:9/oauth/token",
      accessToken: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln",
      expiresAt: Date.now() + 3_600_000,
      refreshToken: "ccgr_bench",
    });
    await saveCliConfig(dir, { url: "http://127.0.0.1:9", store: "file" });
    const run = async () => {
      const start = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: [...CLI_ARGS, "token"],
        cwd: new URL("../../", import.meta.url),
        env: { CCGATE_CONFIG_DIR: dir },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const ms = performance.now() - start;
      if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
      return ms;
    };
    await run(); // warm the module cache
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await run());
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
    return {
      name: "ccgate token (cached valid token, deno run)",
      runs,
      medianMs: at(0.5),
      p90Ms: at(0.9),
      minMs: Math.round(times[0]!),
      maxMs: Math.round(times[times.length - 1]!),
      targetMs: 100,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchToken(Number(Deno.args[0] ?? 20)), null, 2));
}
