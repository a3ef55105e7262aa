import { assertEquals, assertThrows } from "../testing/assert.ts";
import { InstallerError } from "./errors.ts";
import { parseReleaseManifest } from "./release_manifest.ts";

const SUM = "a".repeat(64);

Deno.test("parseReleaseManifest() reads platforms with their checksum and size", () => {
  const manifest = parseReleaseManifest(
    JSON.stringify({
      version: "2.1.197",
      platforms: {
        "linux-x64-musl": { checksum: SUM, size: 12 },
        "win32-arm64": { checksum: SUM },
      },
    }),
    "m",
  );
  assertEquals(manifest.version, "2.1.197");
  assertEquals({ ...manifest.platforms }, {
    "linux-x64-musl": { checksum: SUM, size: 12 },
    "win32-arm64": { checksum: SUM },
  });
});

Deno.test("parseReleaseManifest() refuses a platform name that is not a safe folder name", () => {
  for (const name of ["../../../../.local/bin", "linux/x64", "__proto__", "", ".", "Linux-x64"]) {
    const text = `{"platforms": {${JSON.stringify(name)}: {"checksum": "${SUM}"}}}`;
    const err = assertThrows(() => parseReleaseManifest(text, "m"), InstallerError);
    assertEquals(err.code, "manifest_invalid");
    assertEquals(
      err.message,
      `Cannot read the release manifest m: ${JSON.stringify(name)} is not a platform name`,
    );
  }
});

Deno.test("parseReleaseManifest() refuses platforms that are a list, and sizes that are not byte counts", () => {
  const cases: [unknown, string][] = [
    [[{ checksum: SUM }], 'no "platforms"'],
    [null, 'no "platforms"'],
    [
      { "linux-x64": { checksum: SUM, size: -1 } },
      '"linux-x64" has a size that is not a whole number of bytes',
    ],
    [
      { "linux-x64": { checksum: SUM, size: "9" } },
      '"linux-x64" has a size that is not a whole number of bytes',
    ],
    [{ "linux-x64": { checksum: "abc" } }, '"linux-x64" has no SHA-256 checksum'],
  ];
  for (const [platforms, what] of cases) {
    const err = assertThrows(
      () => parseReleaseManifest(JSON.stringify({ platforms }), "m"),
      InstallerError,
    );
    assertEquals(err.message, `Cannot read the release manifest m: ${what}`);
  }
});
