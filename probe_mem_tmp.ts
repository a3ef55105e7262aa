// scratch: gateway RSS per open stream, full vs small body
import { probeMemory, rssKiB, runLoadgen, startServer } from "./bench/servers.ts";
const memFile = await Deno.makeTempFile();
Deno.env.set("BENCH_MEMORY_FILE", memFile);
import { loadFixtures, targetRequests } from "./bench/fixtures.ts";
const variant = Deno.args[0] ?? "full";
const streams = Number(Deno.args[1] ?? 250);
const emu = await startServer<any>("bench/servers/emulator_server.ts", [], { cpus: "0" });
const gw = await startServer<any>("bench/servers/gateway_server.ts", [emu.info.url], { cpus: "1", denoFlags: ["--v8-flags=--expose-gc", ...(Deno.args[2] ? [Deno.args[2]] : [])] });
const fx = await loadFixtures();
const req = targetRequests(fx, { emulator: emu.info.url, proxy: emu.info.url, gateway: gw.info.url }, gw.info.token, true).gateway;
if (variant === "small") req.body = JSON.stringify({ model: fx.messages.body.model, max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] });
const paceMs = 250, rampMs = Math.max(500, streams / 400 * 1000), frames = Math.ceil((rampMs + 3000) / paceMs);
await fetch(`${emu.info.controlUrl}/timing`, { method: "POST", body: JSON.stringify({ firstByteDelayMs: 0, paceMs, frames }) }).then((r) => r.body?.cancel());
await new Promise((r) => setTimeout(r, 500));
const idle = await rssKiB(gw.info.pid);
let open = 0, openKiB = 0;
await runLoadgen<any>({ kind: "hold", target: req, streams, rampMs, timeoutMs: rampMs + frames * paceMs + 15000 }, {
  cpus: "0",
  onPlateau: async (line: any) => { open = line.open; openKiB = await rssKiB(gw.info.pid); await new Promise((r) => setTimeout(r, 300)); openKiB = Math.max(openKiB, await rssKiB(gw.info.pid)); const p = await probeMemory(gw.info.pid, memFile); await new Promise((r) => setTimeout(r, 300)); const sm = await Deno.readTextFile(`/proc/${gw.info.pid}/smaps`); const maps: [string, number][] = []; let cur = ''; for (const l of sm.split('\n')) { if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) cur = l; else if (l.startsWith('Rss:')) maps.push([cur, Number(l.split(/\s+/)[1])]); } maps.sort((a, b) => b[1] - a[1]); const sizeOf = (h: string) => { const [a, b] = h.split(' ')[0]!.split('-'); return (parseInt(b!, 16) - parseInt(a!, 16)) / 1024; }; const buckets = new Map<string, [number, number]>(); for (const [h, r] of maps) { const sz = sizeOf(h); const k = h.split(/\s+/).length > 5 && h.split(/\s+/)[5] ? h.split(/\s+/)[5]! : (sz === 256 ? 'anon 256K' : sz >= 60000 && sz <= 65536 ? 'anon ~64M' : 'anon other'); const b = buckets.get(k) ?? [0, 0]; b[0]++; b[1] += r; buckets.set(k, b); } console.log([...buckets].sort((a, b) => b[1][1] - a[1][1]).slice(0, 8).map(([k, [n, r]]) => `${k}: ${n} maps, ${(r / 1024).toFixed(0)} MiB rss`).join('\n')); console.log(maps.slice(0, 6).map(([h, r]) => `${h} rss ${r}K`).join('\n'));
console.log('after full GC: rss KiB', await rssKiB(gw.info.pid), 'heapUsed MiB', (p.heapUsed/1048576).toFixed(1), 'external MiB', (p.external/1048576).toFixed(1)); },
});
console.log(variant, "body", req.body.length, "idle", idle, "open", open, "KiB/stream", ((openKiB - idle) / open).toFixed(1), "after", await rssKiB(gw.info.pid));
await gw[Symbol.asyncDispose](); await emu[Symbol.asyncDispose]();
