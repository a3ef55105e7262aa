import { Hono } from "hono";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { installRoute } from "../gateway/install_route.ts";
import { startFakeReleaseServer } from "./_testing/fake_release_server.ts";
import { rootedSys, snapshot } from "./_testing/rooted_sys.ts";
import { InstallerError } from "./errors.ts";
import { fetchClaudeCode } from "./fetch_claude_code.ts";
import { install, uninstall } from "./install.ts";
import { mirrorClaudeCode } from "./mirror.ts";

/** The gateway's /install/ route over a mirror folder, on a real socket. */
function serveMirror(dir: string) {
  const app = new Hono();
  app.on(["GET", "HEAD"], "/install/*", installRoute(dir));
  app.onError(() => new Response("not found", { status: 404 }));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("install --with-claude-code: mirror → /install/ → verified Claude Code in ~/.local/bin, removed by uninstall", async () => {
  await using bucket = await startFakeReleaseServer();
  const root = await Deno.makeTempDir();
  try {
    const mirror = `${root}/mirror`;
    await mirrorClaudeCode({ out: mirror, baseUrl: bucket.url, platforms: ["linux-x64"], fetch });
    await using gateway = serveMirror(mirror);
    const claude = await fetchClaudeCode({
      baseUrl: `${gateway.url}/install`,
      platform: "linux-x64",
      fetch,
    });
    assertEquals(claude.version, "2.1.197");
    assertEquals(claude.bytes, bucket.binaries["linux-x64"]);

    const home = `${root}/machine`;
    await Deno.mkdir(`${home}/home/dev`, { recursive: true });
    const sys = rootedSys({ root: home });
    const before = await snapshot(home);
    await install({
      url: gateway.url,
      scope: "user",
      mode: "anthropic",
      noSchedule: true,
      claudeCode: claude,
      configDir: "/home/dev/.config/ccgate",
      self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
    }, sys);
    assertEquals(await Deno.readFile(sys.real("/home/dev/.local/bin/claude")), claude.bytes);
    assertEquals(
      ((await Deno.stat(sys.real("/home/dev/.local/bin/claude"))).mode ?? 0) & 0o777,
      0o755,
    );
    const settings = JSON.parse(
      await Deno.readTextFile(sys.real("/home/dev/.claude/settings.json")),
    );
    assertEquals(settings.env.DISABLE_AUTOUPDATER, "1");
    // Claude Code 2.1.197 reads drop-ins; user scope still writes ~/.claude/settings.json.
    assert(!(await sys.exists("/etc")));
    await uninstall({ configDir: "/home/dev/.config/ccgate" }, sys);
    assertEquals(await snapshot(home), before);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fetchClaudeCode() refuses a binary that does not match the manifest, before anything is written", async () => {
  await using bucket = await startFakeReleaseServer();
  bucket.tamper.add("linux-x64");
  const err = await assertRejects(
    () => fetchClaudeCode({ baseUrl: bucket.url, platform: "linux-x64", fetch }),
    InstallerError,
  );
  assertEquals(err.code, "checksum_mismatch");
  const missing = await assertRejects(
    () => fetchClaudeCode({ baseUrl: bucket.url, platform: "linux-riscv", fetch }),
    InstallerError,
  );
  assertStringIncludes(missing.message, 'the mirror has no "linux-riscv"');
});

Deno.test("fetchClaudeCode() stops reading a binary past the manifest's size", async () => {
  await using bucket = await startFakeReleaseServer();
  bucket.overrun.set("linux-x64", 5_000_000);
  const err = await assertRejects(
    () => fetchClaudeCode({ baseUrl: bucket.url, platform: "linux-x64", fetch }),
    InstallerError,
  );
  assertEquals(err.code, "checksum_mismatch");
  assertStringIncludes(
    err.message,
    `is longer than the ${bucket.binaries["linux-x64"]!.length} bytes the release manifest allows`,
  );
});
