/**
 * The benchmark's Bedrock emulator, in its own process. Every request gets the
 * same answer (`answerEvents(frames)`) with the current timing; a control
 * server on a second port changes the timing between scenarios:
 * `POST /timing {"firstByteDelayMs": 20, "paceMs": 20, "frames": 64}`, and
 * answers once at least N requests arrived since: `GET /received?atLeast=N`
 * → `{"received": 12}` (without `atLeast`, at once).
 *
 * Prints one JSON line on stdout when ready: `{"url", "controlUrl", "pid"}`.
 *
 * `deno run --allow-net bench/servers/emulator_server.ts`
 *
 * @module
 */
import { answerScript, type BedrockEmulator, startBedrockEmulator } from "@ccgate/emulators";
import { answerEvents } from "../answer_events.ts";

/** Timing of every answer until changed. */
export interface EmulatorTiming {
  /** Delay before the response headers. */
  firstByteDelayMs: number;
  /** Delay before each frame after the first. */
  paceMs: number;
  /** Frames (Bedrock chunks) per answer. */
  frames: number;
}

/**
 * Recorded requests are dropped past this many. The benchmark reads none of them, and each holds
 * an 87 KB body twice (text and parse tree): keeping 256 made the emulator's old generation a
 * few tens of MB that every major GC walked, which showed as 50–90 ms pauses in the direct
 * call's own p99 at 50 req/s.
 */
const KEEP_REQUESTS = 16;

if (import.meta.main) {
  let timing: EmulatorTiming = { firstByteDelayMs: 0, paceMs: 20, frames: 64 };
  let events = answerEvents(timing.frames);
  let received = 0;
  // `GET /received?atLeast=N` requests waiting for the count to reach N.
  const waiters = new Set<{ atLeast: number; resolve: () => void }>();
  const holder: { emulator?: BedrockEmulator } = {};
  const emulator = holder.emulator = await startBedrockEmulator({
    auth: { bearer: true },
    defaultScript: () => {
      received++;
      for (const w of waiters) if (received >= w.atLeast) w.resolve();
      const e = holder.emulator;
      if (e !== undefined && e.requests.length > KEEP_REQUESTS) e.reset();
      return answerScript(events, {
        firstByteDelayMs: timing.firstByteDelayMs,
        paceMs: timing.paceMs,
      });
    },
  });
  const control = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/received") {
      const atLeast = Number(new URL(req.url).searchParams.get("atLeast") ?? 0);
      if (received < atLeast) {
        const reached = Promise.withResolvers<void>();
        const waiter = { atLeast, resolve: reached.resolve };
        waiters.add(waiter);
        req.signal.addEventListener("abort", () => reached.resolve(), { once: true });
        await reached.promise;
        waiters.delete(waiter);
      }
      return Response.json({ received });
    }
    if (req.method !== "POST" || path !== "/timing") {
      return new Response("not found", { status: 404 });
    }
    received = 0;
    timing = { ...timing, ...(await req.json()) };
    events = answerEvents(timing.frames);
    emulator.reset();
    return Response.json(timing);
  });
  console.log(JSON.stringify({
    url: emulator.url,
    controlUrl: `http://127.0.0.1:${control.addr.port}`,
    pid: Deno.pid,
  }));
}
