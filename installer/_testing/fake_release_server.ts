/**
 * Test helper: a Claude Code release bucket on a real socket (the far side of
 * the wire for `ccgate mirror` and `install --with-claude-code`):
 * `{base}/stable`, `{base}/latest`, `{base}/{v}/manifest.json`,
 * `{base}/{v}/{platform}/claude[.exe]`, with HTTP Range. It can serve a
 * tampered file, cut one download half-way, send more bytes than the
 * manifest's size, and serve another manifest.
 *
 * @module
 */
import { sha256Hex } from "../_hash.ts";
import { binaryName } from "../release_manifest.ts";

/** A running fake bucket. */
export interface FakeReleaseServer extends AsyncDisposable {
  /** The base URL (`http://127.0.0.1:port/releases`). */
  url: string;
  /** The version of both channels. */
  version: string;
  /** The real bytes per platform. */
  binaries: Record<string, Uint8Array<ArrayBuffer>>;
  /** Serve other bytes than the manifest's for these platforms. */
  tamper: Set<string>;
  /** Cut the next full download of these platforms after half the bytes. */
  cutOnce: Set<string>;
  /** Send this many bytes after a platform's real ones (streamed, no `content-length`). */
  overrun: Map<string, number>;
  /** Serve this manifest instead of the real one. */
  manifest?: unknown;
  /** Every request: path and Range header. */
  requests: { path: string; range: string | null }[];
}

/** Starts the bucket with a made-up binary per platform. */
export async function startFakeReleaseServer(
  platforms: string[] = ["linux-x64", "darwin-arm64", "win32-x64"],
  version = "2.1.197",
): Promise<FakeReleaseServer> {
  const binaries: Record<string, Uint8Array<ArrayBuffer>> = {};
  const manifest: {
    version: string;
    platforms: Record<string, { checksum: string; size: number }>;
  } = {
    version,
    platforms: {},
  };
  for (const [i, p] of platforms.entries()) {
    // Big enough to arrive in more than one chunk; the script prints its version.
    const body = `#!/bin/sh\necho "${version} (Claude Code)"\n#${p}${"x".repeat(200_000 + i)}\n`;
    binaries[p] = new TextEncoder().encode(body);
    manifest.platforms[p] = { checksum: await sha256Hex(binaries[p]!), size: binaries[p]!.length };
  }
  const tamper = new Set<string>();
  const cutOnce = new Set<string>();
  const overrun = new Map<string, number>();
  const requests: FakeReleaseServer["requests"] = [];
  const served: FakeReleaseServer = {
    url: "",
    version,
    binaries,
    tamper,
    cutOnce,
    overrun,
    requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    const range = req.headers.get("range");
    requests.push({ path, range });
    const rel = path.replace(/^\/releases\//, "");
    if (rel === "stable" || rel === "latest") return new Response(version + "\n");
    if (rel === `${version}/manifest.json`) return Response.json(served.manifest ?? manifest);
    const m = /^([^/]+)\/([^/]+)\/([^/]+)$/.exec(rel);
    if (!m || m[1] !== version || !binaries[m[2]!] || m[3] !== binaryName(m[2]!)) {
      return new Response("Not found", { status: 404 });
    }
    const platform = m[2]!;
    let bytes = binaries[platform]!;
    if (tamper.has(platform)) bytes = bytes.map((b, i) => (i === 20 ? b ^ 1 : b));
    let start = 0;
    const r = range && /^bytes=(\d+)-$/.exec(range);
    if (r) {
      start = Number(r[1]);
      if (start >= bytes.length) return new Response(null, { status: 416 });
    }
    const slice = bytes.subarray(start);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(slice.length),
      "accept-ranges": "bytes",
    };
    if (r) headers["content-range"] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    const extra = overrun.get(platform);
    if (extra !== undefined) {
      delete headers["content-length"];
      const chunks = [slice, new Uint8Array(extra).fill(120)];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      return new Response(body, { status: r ? 206 : 200, headers });
    }
    if (cutOnce.has(platform) && !r) {
      cutOnce.delete(platform);
      const half = slice.subarray(0, Math.floor(slice.length / 2));
      // Half the bytes, then the end: the connection closes short of Content-Length.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(half);
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers });
    }
    return new Response(slice as Uint8Array<ArrayBuffer>, { status: r ? 206 : 200, headers });
  });
  served.url = `http://127.0.0.1:${server.addr.port}/releases`;
  return served;
}
