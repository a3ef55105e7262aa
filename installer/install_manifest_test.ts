import { assertEquals, assertThrows } from "../testing/assert.ts";
import { InstallerError } from "./errors.ts";
import { parseInstallManifest } from "./install_manifest.ts";

Deno.test("parseInstallManifest() says to move the file away when it is corrupt", () => {
  const path = "/home/u/.config/ccgate/install.json";
  for (
    const [text, what] of ([
      ['{"version": 1, "files": [', "not JSON"],
      ["", "not JSON"],
      ["null", "not an install manifest"],
      ['{"version": 2}', "not an install manifest"],
    ] as const)
  ) {
    const err = assertThrows(() => parseInstallManifest(text, path), InstallerError);
    assertEquals(err.code, "manifest_corrupt");
    assertEquals(
      err.message,
      `Cannot read "${path}": ${what}; move or delete "${path}" and run the command again`,
      text,
    );
  }
});
