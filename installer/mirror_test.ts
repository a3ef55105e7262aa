import { assert, assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { startFakeReleaseServer } from "./_testing/fake_release_server.ts";
import { withTempDir } from "../testing/with_temp_dir.ts";
import { InstallerError } from "./errors.ts";
import { mirrorClaudeCode, type MirrorProgress } from "./mirror.ts";

async function exists(path: string) {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("mirrorClaudeCode() mirrors the stable release, verified, in the bucket's layout", async () => {
  await using bucket = await startFakeReleaseServer();
  await withTempDir(async (out) => {
    const progress: MirrorProgress[] = [];
    const result = await mirrorClaudeCode({
      out,
      baseUrl: bucket.url,
      platforms: ["linux-x64", "win32-x64"],
      fetch,
      onProgress: (p) => progress.push(p),
    });
    assertEquals(result.version, "2.1.197");
    assertEquals(
      await Deno.readFile(`${out}/2.1.197/linux-x64/claude`),
      bucket.binaries["linux-x64"],
    );
    assertEquals(
      await Deno.readFile(`${out}/2.1.197/win32-x64/claude.exe`),
      bucket.binaries["win32-x64"],
    );
    assert(!(await exists(`${out}/2.1.197/darwin-arm64`)));
    assertEquals(await Deno.readTextFile(`${out}/stable`), "2.1.197\n");
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${out}/2.1.197/manifest.json`)).version,
      "2.1.197",
    );
    assertEquals(((await Deno.stat(`${out}/2.1.197/linux-x64/claude`)).mode ?? 0) & 0o777, 0o755);
    assertEquals(progress.filter((p) => p.phase === "verified").map((p) => p.platform), [
      "linux-x64",
      "win32-x64",
    ]);

    // Again: nothing downloaded, everything re-verified.
    const again = await mirrorClaudeCode({
      out,
      baseUrl: bucket.url,
      platforms: ["linux-x64"],
      fetch,
    });
    assertEquals(again.files, [{
      platform: "linux-x64",
      path: `${out}/2.1.197/linux-x64/claude`,
      downloaded: false,
    }]);
  });
});

Deno.test("mirrorClaudeCode() rejects and deletes a tampered file", async () => {
  await using bucket = await startFakeReleaseServer();
  await withTempDir(async (out) => {
    bucket.tamper.add("darwin-arm64");
    const err = await assertRejects(
      () =>
        mirrorClaudeCode({
          out,
          baseUrl: bucket.url,
          version: "2.1.197",
          platforms: ["darwin-arm64"],
          fetch,
        }),
      InstallerError,
    );
    assertEquals(err.code, "checksum_mismatch");
    assertStringIncludes(err.message, "does not match the release manifest");
    assert(!(await exists(`${out}/2.1.197/darwin-arm64/claude`)));
    assert(!(await exists(`${out}/2.1.197/darwin-arm64/claude.part`)));
  });
});

Deno.test("mirrorClaudeCode() resumes an interrupted download with a Range request", async () => {
  await using bucket = await startFakeReleaseServer();
  await withTempDir(async (out) => {
    bucket.cutOnce.add("linux-x64");
    const err = await assertRejects(
      () =>
        mirrorClaudeCode({
          out,
          baseUrl: bucket.url,
          version: "latest",
          platforms: ["linux-x64"],
          fetch,
        }),
      InstallerError,
    );
    assertEquals(err.code, "download_failed");
    const part = (await Deno.stat(`${out}/2.1.197/linux-x64/claude.part`)).size;
    assert(part > 0 && part < bucket.binaries["linux-x64"]!.length, `part of ${part} bytes`);

    const result = await mirrorClaudeCode({
      out,
      baseUrl: bucket.url,
      version: "latest",
      platforms: ["linux-x64"],
      fetch,
    });
    assertEquals(result.files[0]!.downloaded, true);
    assertEquals(
      await Deno.readFile(`${out}/2.1.197/linux-x64/claude`),
      bucket.binaries["linux-x64"],
    );
    const binaryRequests = bucket.requests.filter((r) => r.path.endsWith("/linux-x64/claude"));
    assertEquals(binaryRequests.map((r) => r.range), [null, `bytes=${part}-`]);
    assertEquals(await Deno.readTextFile(`${out}/latest`), "2.1.197\n");
  });
});

Deno.test("mirrorClaudeCode() names the platforms a release ships when asked for another", async () => {
  await using bucket = await startFakeReleaseServer(["linux-x64"]);
  await withTempDir(async (out) => {
    const err = await assertRejects(
      () => mirrorClaudeCode({ out, baseUrl: bucket.url, platforms: ["linux-riscv"], fetch }),
      InstallerError,
    );
    assertEquals(err.message, 'Cannot mirror "linux-riscv": release 2.1.197 ships linux-x64');
  });
});

Deno.test("mirrorClaudeCode() writes nothing outside --out for a manifest naming a platform ../../..", async () => {
  await using bucket = await startFakeReleaseServer(["linux-x64"]);
  const root = await Deno.makeTempDir();
  const out = `${root}/srv/mirror`;
  try {
    const sum = (await (await fetch(`${bucket.url}/2.1.197/manifest.json`)).json()).platforms;
    bucket.manifest = {
      version: "2.1.197",
      platforms: { ...sum, "../../../../bin": sum["linux-x64"] },
    };
    const err = await assertRejects(
      () => mirrorClaudeCode({ out, baseUrl: bucket.url, fetch }),
      InstallerError,
    );
    assertEquals(err.code, "manifest_invalid");
    assertStringIncludes(err.message, '"../../../../bin" is not a platform name');
    assertEquals(await exists(`${root}/bin`), false);
    assertEquals(await exists(out), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mirrorClaudeCode() refuses and deletes a download longer than the manifest's size", async () => {
  await using bucket = await startFakeReleaseServer(["linux-x64"]);
  await withTempDir(async (out) => {
    bucket.overrun.set("linux-x64", 300_000);
    const err = await assertRejects(
      () => mirrorClaudeCode({ out, baseUrl: bucket.url, platforms: ["linux-x64"], fetch }),
      InstallerError,
    );
    assertEquals(err.code, "checksum_mismatch");
    assertStringIncludes(
      err.message,
      `is longer than the ${
        bucket.binaries["linux-x64"]!.length
      } bytes the release manifest allows`,
    );
    assert(!(await exists(`${out}/2.1.197/linux-x64/claude.part`)));
    assert(!(await exists(`${out}/2.1.197/linux-x64/claude`)));

    // The next run, from a bucket that behaves again, needs no second try.
    bucket.overrun.clear();
    const result = await mirrorClaudeCode({
      out,
      baseUrl: bucket.url,
      platforms: ["linux-x64"],
      fetch,
    });
    assertEquals(result.files[0]!.downloaded, true);
  });
});

Deno.test("mirrorClaudeCode() starts over from a part longer than the manifest's size", async () => {
  await using bucket = await startFakeReleaseServer(["linux-x64"]);
  await withTempDir(async (out) => {
    await Deno.mkdir(`${out}/2.1.197/linux-x64`, { recursive: true });
    await Deno.writeFile(`${out}/2.1.197/linux-x64/claude.part`, new Uint8Array(400_000));
    const result = await mirrorClaudeCode({
      out,
      baseUrl: bucket.url,
      platforms: ["linux-x64"],
      fetch,
    });
    assertEquals(result.files[0]!.downloaded, true);
    assertEquals(
      await Deno.readFile(`${out}/2.1.197/linux-x64/claude`),
      bucket.binaries["linux-x64"],
    );
    const binaryRequests = bucket.requests.filter((r) => r.path.endsWith("/linux-x64/claude"));
    assertEquals(binaryRequests.map((r) => r.range), [null]);
  });
});

Deno.test("mirrorClaudeCode() says a folder it cannot write is write_failed, naming it", async () => {
  await using bucket = await startFakeReleaseServer(["linux-x64"]);
  await withTempDir(async (root) => {
    await Deno.writeTextFile(`${root}/file`, "not a folder");
    const err = await assertRejects(
      () => mirrorClaudeCode({ out: `${root}/file`, baseUrl: bucket.url, fetch }),
      InstallerError,
    );
    assertEquals(err.code, "write_failed");
    assertEquals(err.message.split(": ")[0], `Cannot write ${root}/file/2.1.197`);
    assertStringIncludes(err.message, "(os error 20)");
  });
});
