import { assert, assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import {
  changes,
  configDir,
  enableNow,
  readManifest,
  SELF,
  systemdHome,
  URL_,
  userHome,
  userInstall,
  withRoot,
} from "./_testing/install_home.ts";
import { rootedSys, snapshot } from "./_testing/rooted_sys.ts";
import { InstallerError } from "./errors.ts";
import { install, uninstall } from "./install.ts";
import { planInstall } from "./install_plan.ts";

Deno.test("install() after a failed `systemctl enable` enables the timer on the re-run and says so", async () => {
  await withRoot(async (root) => {
    const state = { failEnable: true, enabled: false };
    const sys = await systemdHome(root, state);
    await assertRejects(() => userInstall(sys), InstallerError);
    state.failEnable = false;
    sys.commands.length = 0;
    const again = await userInstall(sys);
    assert(changes(sys).some((c) => JSON.stringify(c) === JSON.stringify(enableNow)));
    assert(state.enabled);
    assert(again.changed);
    assert(
      again.actions.some((a) => a.kind === "run" && a.args.join(" ") === enableNow.args.join(" ")),
    );
  });
});

Deno.test("install() re-enables a timer disabled by hand, and is quiet when it is already enabled", async () => {
  await withRoot(async (root) => {
    const state = { failEnable: false, enabled: false };
    const sys = await systemdHome(root, state);
    await userInstall(sys);
    state.enabled = false; // systemctl --user disable --now ccgate-refresh.timer
    const healed = await userInstall(sys);
    assert(state.enabled);
    assert(healed.changed);
    const once = await snapshot(root);
    sys.commands.length = 0;
    const quiet = await userInstall(sys);
    assertEquals(quiet.changed, false);
    assertEquals(quiet.actions, []);
    assertEquals(await snapshot(root), once);
  });
});

Deno.test("install() with a schedule, then --no-schedule: the timer is stopped and its units removed", async () => {
  await withRoot(async (root) => {
    const state = { failEnable: false, enabled: false };
    const sys = await systemdHome(root, state);
    const before = await snapshot(root);
    await userInstall(sys);
    sys.commands.length = 0;
    await userInstall(sys, { noSchedule: true });
    assertEquals(state.enabled, false);
    assert(!(await sys.exists("/home/dev/.config/systemd/user/ccgate-refresh.timer")));
    assert(!(await sys.exists("/home/dev/.config/systemd/user/ccgate-refresh.service")));
    await uninstall({ configDir }, sys);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() system scope again after Claude Code gained drop-ins gives managed-settings.json back", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/etc/claude-code`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/etc/claude-code/managed-settings.json`,
      '{"cleanupPeriodDays":7}\n',
    );
    let version = "2.1.50";
    const sys = rootedSys({
      root,
      admin: true,
      answer: (command) =>
        command === "claude"
          ? { stdout: `${version} (Claude Code)\n` }
          : command === "systemctl"
          ? {}
          : "missing",
    });
    const before = await snapshot(root);
    const system = {
      url: URL_,
      scope: "system",
      mode: "anthropic",
      configDir: "/root/.config/ccgate",
      self: SELF,
    } as const;
    await install(system, sys);
    assertStringIncludes(
      await Deno.readTextFile(sys.real("/etc/claude-code/managed-settings.json")),
      "apiKeyHelper",
    );
    version = "2.1.197";
    await install(system, sys);
    assertEquals(
      await Deno.readTextFile(sys.real("/etc/claude-code/managed-settings.json")),
      '{"cleanupPeriodDays":7}\n',
    );
    assert(await sys.exists("/etc/claude-code/managed-settings.d/50-ccgate.json"));
    await uninstall({ configDir: "/root/.config/ccgate" }, sys);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() refuses another scope over an earlier install, and changes nothing", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    await userInstall(sys);
    const once = await snapshot(root);
    const admin = rootedSys({
      root,
      admin: true,
      answer: (c) => c === "systemctl" ? {} : "missing",
    });
    const err = await assertRejects(
      () =>
        install({ url: URL_, scope: "system", mode: "anthropic", configDir, self: SELF }, admin),
      InstallerError,
    );
    assertEquals(err.code, "usage");
    assertEquals(
      err.message,
      "Cannot install for every user over this user's install: run `ccgate uninstall` first (as the user who installed), then install again",
    );
    assertEquals(await snapshot(root), once);
  });
});

for (const os of ["darwin", "windows"] as const) {
  Deno.test(`planInstall() on ${os} re-runs the schedule's activation when nothing changed, quiet only when it is running`, async () => {
    const facts = {
      os,
      home: os === "darwin" ? "/Users/dev" : "C:\\Users\\dev",
      configDir: os === "darwin"
        ? "/Users/dev/Library/Application Support/ccgate"
        : "C:\\Users\\dev\\AppData\\Roaming\\ccgate",
      env: (name: string) => name === "USERNAME" ? "dev" : undefined,
      now: new Date("2026-11-30T03:00:00Z"),
      self: SELF,
      files: new Map<string, Uint8Array | undefined>(),
      claudeVersion: "2.1.197",
      systemdUser: false,
    };
    const options = { url: URL_, scope: "user", mode: "anthropic" } as const;
    const first = await planInstall(options, facts);
    for (const a of first.actions) if (a.kind === "write") facts.files.set(a.path, a.data);
    const runs = (plan: typeof first) =>
      plan.actions.flatMap((a) =>
        a.kind === "run" ? [`${a.command} ${a.args[0]}${a.quiet ? " (quiet)" : ""}`] : []
      );
    const again = await planInstall(options, { ...facts, manifest: first.manifest });
    assertEquals(
      runs(again),
      os === "darwin" ? ["launchctl unload", "launchctl load"] : ["schtasks /Create"],
    );
    const running = await planInstall(options, {
      ...facts,
      manifest: first.manifest,
      scheduleActive: true,
    });
    assertEquals(
      runs(running),
      os === "darwin"
        ? ["launchctl unload (quiet)", "launchctl load (quiet)"]
        : ["schtasks /Create (quiet)"],
    );
  });
}

Deno.test("install() without --with-claude-code over an install that put Claude Code in place refuses, and changes nothing", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    const claude = new TextEncoder().encode("#!/bin/sh\necho '2.1.197 (Claude Code)'\n");
    await userInstall(sys, { claudeCode: { bytes: claude, version: "2.1.197" } });
    const once = await snapshot(root);
    const err = await assertRejects(() => userInstall(sys), InstallerError);
    assertEquals(err.code, "usage");
    assertEquals(
      err.message,
      'Cannot install without --with-claude-code: the earlier install put Claude Code at "/home/dev/.local/bin/claude"; pass --with-claude-code again, or run `ccgate uninstall` first',
    );
    assertEquals(await snapshot(root), once);
  });
});

Deno.test("install() with a systemd user manager now removes the crontab lines of an earlier install", async () => {
  await withRoot(async (root) => {
    let crontab = "MAILTO=me\n";
    let systemd = false;
    const sys = await userHome(root, (command, args, stdin) => {
      if (command === "crontab") {
        if (args[0] === "-l") return { stdout: crontab };
        crontab = stdin!;
        return {};
      }
      if (command !== "systemctl" || !systemd) return "missing";
      return args[1] === "is-system-running" ? { stdout: "running\n" } : {};
    });
    await userInstall(sys);
    assertStringIncludes(crontab, "# ccgate-refresh");
    systemd = true;
    await userInstall(sys);
    assertEquals(crontab, "MAILTO=me\n");
    assert(await sys.exists("/home/dev/.config/systemd/user/ccgate-refresh.timer"));
    assertEquals((await readManifest(sys)).schedule?.kind, "systemd");
  });
});

Deno.test("install() --no-schedule keeps a unit file the user edited, and says so", async () => {
  await withRoot(async (root) => {
    const sys = await systemdHome(root, { failEnable: false, enabled: false });
    await userInstall(sys);
    const service = "/home/dev/.config/systemd/user/ccgate-refresh.service";
    await Deno.writeTextFile(sys.real(service), "[Service]\nExecStart=/bin/true\n");
    const result = await userInstall(sys, { noSchedule: true });
    assertEquals(result.kept, [`${service} (changed since install)`]);
    assert(await sys.exists(service));
    assert(!(await sys.exists("/home/dev/.config/systemd/user/ccgate-refresh.timer")));
  });
});
