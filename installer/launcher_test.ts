import { assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { InstallerError } from "./errors.ts";
import { quoteProgram, renderLauncher } from "./launcher.ts";

Deno.test("renderLauncher() on Windows doubles % in the .cmd file and quotes spaces", () => {
  assertEquals(
    renderLauncher("windows", {
      deno: "C:\\Users\\a%b\\deno.exe",
      args: ["run", "-A", "C:\\Users\\a%b\\my ccgate\\main.ts"],
    }),
    '@echo off\r\nC:\\Users\\a%%b\\deno.exe run -A "C:\\Users\\a%%b\\my ccgate\\main.ts" %*\r\n',
  );
});

Deno.test("renderLauncher() on POSIX quotes for sh and keeps % as is", () => {
  assertStringIncludes(
    renderLauncher("linux", { deno: "/home/a%b/deno", args: ["run", "/home/a b/main.ts"] }),
    `exec /home/a%b/deno run '/home/a b/main.ts' "$@"\n`,
  );
  assertEquals(quoteProgram("linux", "/home/a b/ccgate"), "'/home/a b/ccgate'");
});

Deno.test("renderLauncher() on Windows refuses a line break in a path", () => {
  const err = assertThrows(
    () => renderLauncher("windows", { deno: "C:\\a\nb\\deno.exe", args: [] }),
    InstallerError,
  );
  assertEquals(err.code, "usage");
  assertStringIncludes(err.message, "contains a line break");
});
