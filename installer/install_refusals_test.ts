import { assertEquals, assertRejects } from "../testing/assert.ts";
import {
  configDir,
  SELF,
  systemdUserAnswer,
  URL_,
  userInstall,
  withRoot,
} from "./_testing/install_home.ts";
import { rootedSys, snapshot } from "./_testing/rooted_sys.ts";
import { InstallerError } from "./errors.ts";
import { install } from "./install.ts";

Deno.test("install() system scope needs root", async () => {
  await withRoot(async (root) => {
    const sys = rootedSys({ root, admin: false });
    const err = await assertRejects(
      () => install({ url: URL_, scope: "system", mode: "anthropic", configDir, self: SELF }, sys),
      InstallerError,
    );
    assertEquals(err.code, "usage");
  });
});

Deno.test("install() refuses a home with a line break in one clear error, and changes nothing", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/home/a\nb`, { recursive: true });
    const sys = rootedSys({
      root,
      home: "/home/a\nb",
      answer: systemdUserAnswer,
    });
    const before = await snapshot(root);
    const err = await assertRejects(
      () => userInstall(sys, { configDir: "/home/a\nb/.config/ccgate" }),
      InstallerError,
    );
    assertEquals(err.code, "usage");
    assertEquals(
      err.message,
      'Cannot write the systemd unit: "/home/a\\nb/.local/bin/ccgate" contains a line break, which it cannot hold; install from a home and folders without one',
    );
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() for this user refuses an unset or relative home in one clear error, and changes nothing", async () => {
  await withRoot(async (root) => {
    for (const home of ["", "home/u"]) {
      const sys = rootedSys({ root, home });
      const before = await snapshot(root);
      const err = await assertRejects(() => userInstall(sys), InstallerError);
      assertEquals(err.code, "usage");
      assertEquals(
        err.message,
        `Cannot install for this user: HOME is not set to an absolute folder (it is ${
          JSON.stringify(home)
        })`,
      );
      assertEquals(await snapshot(root), before);
    }
  });
});
