import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../testing/assert.ts";
import {
  changes,
  configDir,
  enableNow,
  SELF,
  systemdHome,
  systemdUserAnswer,
  URL_,
  USER_SETTINGS,
  userHome,
  userInstall,
  withRoot,
} from "./_testing/install_home.ts";
import { rootedSys, snapshot } from "./_testing/rooted_sys.ts";
import { InstallerError } from "./errors.ts";
import { install, uninstall } from "./install.ts";
import { planInstall } from "./install_plan.ts";

Deno.test("install() user scope, then uninstall(): the home is byte for byte as before", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    const before = await snapshot(root);
    const result = await userInstall(sys);
    assert(result.changed);
    const settings = JSON.parse(
      await Deno.readTextFile(sys.real("/home/dev/.claude/settings.json")),
    );
    assertEquals(settings.theme, "dark");
    assertEquals(settings.env.FOO, "1");
    assertEquals(settings.apiKeyHelper, "/home/dev/.local/bin/ccgate token");
    assertEquals(settings.env.ANTHROPIC_BASE_URL, URL_);
    assertEquals(settings.permissions, { allow: ["Bash(ls)"], deny: ["WebSearch"] });
    assertEquals(
      await Deno.readTextFile(
        sys.real("/home/dev/.claude/settings.json.ccgate-backup-20261130T030000Z"),
      ),
      USER_SETTINGS,
    );
    assertStringIncludes(
      await Deno.readTextFile(sys.real("/home/dev/.local/bin/ccgate")),
      "deno=/usr/local/bin/deno\n",
    );
    assertStringIncludes(
      await Deno.readTextFile(sys.real("/home/dev/.local/bin/ccgate")),
      'exec "$deno" run -A /opt/ccgate/client/cli/main.ts "$@"',
    );
    assertStringIncludes(
      await Deno.readTextFile(sys.real("/home/dev/.config/systemd/user/ccgate-refresh.service")),
      "ExecStart=/home/dev/.local/bin/ccgate refresh",
    );
    assertEquals(changes(sys), [
      { command: "systemctl", args: ["--user", "daemon-reload"] },
      { command: "systemctl", args: ["--user", "enable", "--now", "ccgate-refresh.timer"] },
    ]);
    assertNotEquals(await snapshot(root), before);

    sys.commands.length = 0;
    const gone = await uninstall({ configDir }, sys);
    assertEquals(gone.kept, []);
    assertEquals(changes(sys), [
      { command: "systemctl", args: ["--user", "disable", "--now", "ccgate-refresh.timer"] },
      { command: "systemctl", args: ["--user", "daemon-reload"] },
    ]);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() twice: the second run changes nothing, byte for byte, and only re-asserts the timer", async () => {
  await withRoot(async (root) => {
    const sys = await systemdHome(root, { failEnable: false, enabled: false });
    await userInstall(sys);
    const once = await snapshot(root);
    sys.commands.length = 0;
    const again = await userInstall(sys, {});
    assertEquals(again.changed, false);
    assertEquals(again.actions, []);
    assertEquals(changes(sys), [
      { command: "systemctl", args: ["--user", "daemon-reload"] },
      enableNow,
    ]);
    assertEquals(await snapshot(root), once);
    // And uninstall after two installs still restores the original.
    await uninstall({ configDir }, sys);
    assertEquals(
      await Deno.readTextFile(sys.real("/home/dev/.claude/settings.json")),
      USER_SETTINGS,
    );
  });
});

Deno.test("install() refuses settings that are not JSON and changes nothing", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    await Deno.writeTextFile(sys.real("/home/dev/.claude/settings.json"), '{"theme": "dark",}');
    const before = await snapshot(root);
    const err = await assertRejects(() => userInstall(sys), InstallerError);
    assertEquals(err.code, "settings_invalid");
    assertStringIncludes(err.message, "/home/dev/.claude/settings.json");
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("uninstall() keeps the user's later edits and removes only ccgate's keys", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    await userInstall(sys);
    const path = sys.real("/home/dev/.claude/settings.json");
    const edited = JSON.parse(await Deno.readTextFile(path));
    edited.model = "opus";
    await Deno.writeTextFile(path, JSON.stringify(edited, null, 2) + "\n");
    const result = await uninstall({ configDir }, sys);
    assertEquals(JSON.parse(await Deno.readTextFile(path)), {
      theme: "dark",
      env: { FOO: "1" },
      permissions: { allow: ["Bash(ls)"] },
      model: "opus",
    });
    assertEquals(result.kept, [
      "/home/dev/.claude/settings.json.ccgate-backup-20261130T030000Z (backup, not restored)",
    ]);
  });
});

Deno.test("install() falls back to crontab lines without a systemd user manager; uninstall removes only them", async () => {
  await withRoot(async (root) => {
    let crontab = "MAILTO=me\n0 3 * * * /usr/bin/backup\n";
    const sys = await userHome(root, (command, args, stdin) => {
      if (command !== "crontab") return "missing";
      if (args[0] === "-l") return { stdout: crontab };
      crontab = stdin!;
      return {};
    });
    await userInstall(sys);
    assertStringIncludes(
      crontab,
      "*/10 * * * * /home/dev/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh",
    );
    assertStringIncludes(crontab, "0 3 * * * /usr/bin/backup");
    await userInstall(sys);
    assertEquals(sys.commands.filter((c) => c.args[0] === "-").length, 1);
    await uninstall({ configDir }, sys);
    assertEquals(crontab, "MAILTO=me\n0 3 * * * /usr/bin/backup\n");
  });
});

Deno.test("install() system scope on Linux writes a managed-settings.d drop-in and a global user timer", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/etc/claude-code`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/etc/claude-code/managed-settings.json`,
      '{"permissions":{"deny":["Bash(rm:*)"]}}',
    );
    const sys = rootedSys({
      root,
      admin: true,
      answer: (command) =>
        command === "claude"
          ? { stdout: "2.1.197 (Claude Code)\n" }
          : command === "systemctl"
          ? {}
          : "missing",
    });
    const before = await snapshot(root);
    await install({
      url: URL_,
      scope: "system",
      mode: "anthropic",
      configDir: "/root/.config/ccgate",
      self: SELF,
    }, sys);
    const dropIn = JSON.parse(
      await Deno.readTextFile(sys.real("/etc/claude-code/managed-settings.d/50-ccgate.json")),
    );
    assertEquals(dropIn.apiKeyHelper, "/usr/local/bin/ccgate token");
    assertEquals(
      await Deno.readTextFile(sys.real("/etc/claude-code/managed-settings.json")),
      '{"permissions":{"deny":["Bash(rm:*)"]}}',
    );
    assert(await sys.exists("/etc/systemd/user/ccgate-refresh.timer"));
    assertEquals(sys.commands.at(-1), {
      command: "systemctl",
      args: ["--global", "enable", "ccgate-refresh.timer"],
    });
    await uninstall({ configDir: "/root/.config/ccgate" }, sys);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() on macOS writes and loads a LaunchAgent; uninstall unloads it", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/Users/dev`, { recursive: true });
    const sys = rootedSys({
      root,
      os: "darwin",
      home: "/Users/dev",
      answer: (c) => c === "launchctl" ? {} : "missing",
    });
    const before = await snapshot(root);
    const cfg = "/Users/dev/Library/Application Support/ccgate";
    await install({ url: URL_, scope: "user", mode: "anthropic", configDir: cfg, self: SELF }, sys);
    const plist = "/Users/dev/Library/LaunchAgents/com.ccgate.refresh.plist";
    assertStringIncludes(await Deno.readTextFile(sys.real(plist)), "<key>StartInterval</key>");
    assertEquals(sys.commands.at(-1), { command: "launchctl", args: ["load", "-w", plist] });
    await uninstall({ configDir: cfg }, sys);
    assertEquals(sys.commands.at(-1), { command: "launchctl", args: ["unload", "-w", plist] });
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("planInstall() on Windows: a .cmd launcher, quoted helper, and schtasks /Create /XML", async () => {
  const plan = await planInstall(
    { url: URL_, scope: "system", mode: "anthropic" },
    {
      os: "windows",
      home: "C:\\Users\\dev",
      configDir: "C:\\Users\\dev\\AppData\\Roaming\\ccgate",
      env: () => undefined,
      now: new Date("2026-11-30T03:00:00Z"),
      self: SELF,
      files: new Map(),
      claudeVersion: "2.1.197",
      systemdUser: false,
    },
  );
  const paths = plan.actions.flatMap((a) => a.kind === "write" ? [a.path] : []);
  assertEquals(paths, [
    "C:\\Program Files\\ccgate\\ccgate.cmd",
    "C:\\Program Files\\ClaudeCode\\managed-settings.d\\50-ccgate.json",
    "C:\\Users\\dev\\AppData\\Roaming\\ccgate\\ccgate-refresh.xml",
  ]);
  const settings = plan.actions[1]!;
  assert(settings.kind === "write");
  assertEquals(
    JSON.parse(new TextDecoder().decode(settings.data)).apiKeyHelper,
    '"C:\\Program Files\\ccgate\\ccgate.cmd" token',
  );
  assertEquals(plan.actions.at(-1), {
    kind: "run",
    command: "schtasks",
    args: [
      "/Create",
      "/TN",
      "ccgate-refresh",
      "/XML",
      "C:\\Users\\dev\\AppData\\Roaming\\ccgate\\ccgate-refresh.xml",
      "/F",
    ],
    why: "register the task (at logon and every few minutes)",
  });
});

Deno.test("install({ dryRun }) lists every write and command, the manifest last, and changes nothing", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(root);
    const before = await snapshot(root);
    const result = await userInstall(sys, { dryRun: true });
    assertEquals(result.actions.map((a) => a.kind === "run" ? `run ${a.args.join(" ")}` : a.path), [
      "/home/dev/.local/bin/ccgate",
      "/home/dev/.claude/settings.json.ccgate-backup-20261130T030000Z",
      "/home/dev/.claude/settings.json",
      "/home/dev/.config/systemd/user/ccgate-refresh.service",
      "/home/dev/.config/systemd/user/ccgate-refresh.timer",
      "run --user daemon-reload",
      "run --user enable --now ccgate-refresh.timer",
      "/home/dev/.config/ccgate/install.json",
    ]);
    assertEquals(changes(sys), []);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("planInstall() writes the legacy C:\\ProgramData location for a Claude Code older than 2.1.2, merged", async () => {
  const plan = await planInstall(
    { url: URL_, scope: "system", mode: "bedrock", noSchedule: true },
    {
      os: "windows",
      home: "C:\\Users\\dev",
      configDir: "C:\\Users\\dev\\AppData\\Roaming\\ccgate",
      env: () => undefined,
      now: new Date("2026-11-30T03:00:00Z"),
      self: SELF,
      files: new Map([[
        "C:\\ProgramData\\ClaudeCode\\managed-settings.json",
        new TextEncoder().encode('{"permissions":{"deny":["Bash(curl:*)"]}}'),
      ]]),
      claudeVersion: "2.0.76",
      systemdUser: false,
    },
  );
  const write = plan.actions.find((a) =>
    a.kind === "write" && a.path === "C:\\ProgramData\\ClaudeCode\\managed-settings.json"
  );
  assert(write?.kind === "write");
  const settings = JSON.parse(new TextDecoder().decode(write.data));
  assertEquals(settings.permissions.deny, ["Bash(curl:*)", "WebSearch"]);
  assertEquals(settings.env.CLAUDE_CODE_USE_BEDROCK, "1");
  assertEquals(settings.env.ANTHROPIC_BEDROCK_BASE_URL, URL_);
  assertEquals(plan.manifest.settings?.kind, "merged");
});

Deno.test("install() that fails half-way records what it wrote, so uninstall still restores the home", async () => {
  await withRoot(async (root) => {
    const sys = await userHome(
      root,
      (command, args) =>
        command === "systemctl" && args[1] === "is-system-running"
          ? { stdout: "running\n" }
          : command === "systemctl" && args[1] === "enable"
          ? { code: 1, stderr: "Failed to connect to bus\n" }
          : command === "systemctl"
          ? {}
          : "missing",
    );
    const before = await snapshot(root);
    const err = await assertRejects(() => userInstall(sys), InstallerError);
    assertEquals(err.code, "command_failed");
    assertEquals(
      err.message,
      "Cannot start the timer now and at every logon: `systemctl --user enable --now ccgate-refresh.timer` failed (Failed to connect to bus)",
    );
    assert(await sys.exists("/home/dev/.config/ccgate/install.json"));
    await uninstall({ configDir }, sys);
    assertEquals(await snapshot(root), before);
  });
});

Deno.test("install() pins CCGATE_CONFIG_DIR and CCGATE_STORE in the unit when they are set, user scope only", async () => {
  await withRoot(async (root) => {
    await userHome(root);
    const sys = rootedSys({
      root,
      env: { CCGATE_CONFIG_DIR: "/home/dev/ccgate-cfg", CCGATE_STORE: "file", LANG: "C" },
      answer: systemdUserAnswer,
    });
    await userInstall(sys, { configDir: "/home/dev/ccgate-cfg" });
    const service = await Deno.readTextFile(
      sys.real("/home/dev/.config/systemd/user/ccgate-refresh.service"),
    );
    assertStringIncludes(
      service,
      'Environment="CCGATE_CONFIG_DIR=/home/dev/ccgate-cfg"\nEnvironment="CCGATE_STORE=file"\nExecStart=',
    );
    assert(!service.includes("LANG"));
  });
});

Deno.test("planInstall() pins no environment in system-wide schedules", async () => {
  const plan = await planInstall(
    { url: URL_, scope: "system", mode: "anthropic" },
    {
      os: "darwin",
      home: "/var/root",
      configDir: "/var/root/Library/Application Support/ccgate",
      env: (name) => name === "CCGATE_CONFIG_DIR" ? "/var/root/cfg" : undefined,
      now: new Date("2026-11-30T03:00:00Z"),
      self: SELF,
      files: new Map(),
      claudeVersion: "2.1.197",
      systemdUser: false,
    },
  );
  const plist = plan.actions.find((a) => a.kind === "write" && a.path.endsWith(".plist"));
  assert(plist?.kind === "write");
  assert(!new TextDecoder().decode(plist.data).includes("EnvironmentVariables"));
});
