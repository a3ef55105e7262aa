import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { configDir } from "./config_dir.ts";

const dir = (os: typeof Deno.build.os, env: Record<string, string>) =>
  configDir({ os, env: (name) => env[name] });

Deno.test("configDir() honours CCGATE_CONFIG_DIR first", () => {
  assertEquals(dir("linux", { CCGATE_CONFIG_DIR: "/tmp/x", HOME: "/home/a" }), "/tmp/x");
});

Deno.test("configDir() follows each OS's convention", () => {
  assertEquals(dir("linux", { HOME: "/home/a" }), "/home/a/.config/ccgate");
  assertEquals(dir("linux", { HOME: "/home/a", XDG_CONFIG_HOME: "/xdg" }), "/xdg/ccgate");
  assertEquals(
    dir("linux", { HOME: "/home/a", XDG_CONFIG_HOME: "relative" }),
    "/home/a/.config/ccgate",
  );
  assertEquals(dir("darwin", { HOME: "/Users/a" }), "/Users/a/Library/Application Support/ccgate");
  assertEquals(
    dir("windows", { APPDATA: "C:\\Users\\a\\AppData\\Roaming" }),
    "C:\\Users\\a\\AppData\\Roaming\\ccgate",
  );
  assertEquals(
    dir("windows", { USERPROFILE: "C:\\Users\\a" }),
    "C:\\Users\\a\\AppData\\Roaming\\ccgate",
  );
});

Deno.test("configDir() throws when there is no home folder", () => {
  assertThrows(() => dir("linux", {}), Error, "HOME is not set");
});
