import { assert, assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { InstallerError } from "./errors.ts";
import { assertGolden } from "./_testing/golden.ts";
import { child, parseXml, plistValue } from "./_testing/xml.ts";
import { ccgateSettings } from "./ccgate_settings.ts";
import { claudeSettingsLocation } from "./claude_settings_location.ts";
import { addCrontabLines, removeCrontabLines, renderCrontabLines } from "./crontab_entry.ts";
import { renderLaunchAgentPlist } from "./launchd_plist.ts";
import { renderMobileconfig, renderRegFile, renderRegistryScript } from "./mdm_profiles.ts";
import { renderSettingsJson } from "./settings_merge.ts";
import { renderSystemdUnits } from "./systemd_units.ts";
import { renderTaskSchedulerXml, utf16le } from "./task_scheduler_xml.ts";

const GATEWAY = "https://ccgate.example.com";
const PROGRAM = {
  linux: "/home/dev/.local/bin/ccgate",
  darwin: "/Users/dev/.local/bin/ccgate",
  windows: "C:\\Users\\dev\\AppData\\Local\\Programs\\ccgate\\ccgate.exe",
} as const;

for (const os of ["linux", "darwin", "windows"] as const) {
  Deno.test(`ccgateSettings() golden managed settings for ${os}`, async () => {
    const loc = claudeSettingsLocation({
      os,
      scope: "system",
      home: "/h",
      claudeVersion: "2.1.197",
    });
    const settings = ccgateSettings({
      mode: "anthropic",
      gatewayUrl: GATEWAY,
      apiKeyHelper: `${PROGRAM[os]} token`,
    });
    await assertGolden(
      `${os}.managed-settings.json`,
      JSON.stringify({ path: loc.path, settings }, null, 2) + "\n",
    );
    assert(!("forceLoginMethod" in settings) && !("forceLoginOrgUUID" in settings));
  });
}

Deno.test("renderSystemdUnits() golden units, and systemd-analyze verify accepts them", async () => {
  const units = renderSystemdUnits({ program: PROGRAM.linux });
  await assertGolden("linux.ccgate-refresh.service", units.service);
  await assertGolden("linux.ccgate-refresh.timer", units.timer);
  let analyze = true;
  try {
    await Deno.stat("/usr/bin/systemd-analyze");
  } catch {
    analyze = false;
  }
  if (!analyze) {
    console.warn("systemd-analyze not installed: skipping `systemd-analyze verify` of the units");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    // verify needs ExecStart to exist and be executable; system mode (no user manager in CI).
    const program = `${dir}/ccgate`;
    await Deno.writeTextFile(program, "#!/bin/sh\n", { mode: 0o755 });
    const real = renderSystemdUnits({ program });
    await Deno.writeTextFile(`${dir}/ccgate-refresh.service`, real.service);
    await Deno.writeTextFile(`${dir}/ccgate-refresh.timer`, real.timer);
    const out = await new Deno.Command("/usr/bin/systemd-analyze", {
      args: ["verify", `${dir}/ccgate-refresh.timer`, `${dir}/ccgate-refresh.service`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    const relevant = stderr.split("\n").filter((l) => l.includes("ccgate-refresh"));
    assertEquals(relevant, [], stderr);
    assertEquals(out.code, 0, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderCrontabLines() golden lines; add/remove keep the user's own lines", async () => {
  const lines = renderCrontabLines({ program: "/home/dev/my tools/ccgate" });
  await assertGolden("linux.crontab", lines.join("\n") + "\n");
  const mine = "MAILTO=me\n0 3 * * * /usr/bin/backup\n";
  const added = addCrontabLines(mine, lines);
  assertEquals(addCrontabLines(added, lines), added);
  assertEquals(removeCrontabLines(added), mine);
  assertEquals(removeCrontabLines(addCrontabLines("", lines)), "");
});

Deno.test("renderLaunchAgentPlist() golden plist, parsed: StartInterval, RunAtLoad, logs", async () => {
  const xml = renderLaunchAgentPlist({
    program: PROGRAM.darwin,
    logPath: "/Users/dev/Library/Logs/ccgate/refresh.log",
  });
  await assertGolden("darwin.com.ccgate.refresh.plist", xml);
  assertEquals(plistValue(parseXml(xml)), {
    Label: "com.ccgate.refresh",
    ProgramArguments: [PROGRAM.darwin, "refresh"],
    StartInterval: 600,
    RunAtLoad: true,
    ProcessType: "Background",
    StandardOutPath: "/Users/dev/Library/Logs/ccgate/refresh.log",
    StandardErrorPath: "/Users/dev/Library/Logs/ccgate/refresh.log",
  });
});

Deno.test("renderTaskSchedulerXml() golden task, parsed: logon + repeating trigger, the command", async () => {
  const xml = renderTaskSchedulerXml({
    program: PROGRAM.windows,
    intervalMinutes: 10,
    principal: { userId: "CORP\\dev" },
  });
  await assertGolden("windows.ccgate-refresh.xml", xml.replace(/\r\n/g, "\n"));
  const task = parseXml(xml);
  assertEquals(task.name, "Task");
  assertEquals(task.attributes.xmlns, "http://schemas.microsoft.com/windows/2004/02/mit/task");
  const triggers = child(task, "Triggers");
  assertEquals(child(child(triggers, "LogonTrigger"), "UserId").text, "CORP\\dev");
  assertEquals(
    child(child(child(triggers, "TimeTrigger"), "Repetition"), "Interval").text,
    "PT10M",
  );
  const exec = child(child(task, "Actions"), "Exec");
  assertEquals(child(exec, "Command").text, PROGRAM.windows);
  assertEquals(child(exec, "Arguments").text, "refresh");
  assertEquals(
    child(child(child(task, "Principals"), "Principal"), "LogonType").text,
    "InteractiveToken",
  );
  const all = renderTaskSchedulerXml({
    program: "C:\\x.exe",
    principal: { groupId: "S-1-5-32-545" },
  });
  assertEquals(
    child(child(child(parseXml(all), "Principals"), "Principal"), "GroupId").text,
    "S-1-5-32-545",
  );
  const bytes = utf16le("<a/>");
  assertEquals([...bytes.slice(0, 4)], [0xff, 0xfe, 0x3c, 0x00]);
});

Deno.test("renderMobileconfig() golden profile, parsed: a com.anthropic.claudecode payload with the settings", async () => {
  const settings = ccgateSettings({
    mode: "anthropic",
    gatewayUrl: GATEWAY,
    apiKeyHelper: "/usr/local/bin/ccgate token",
  });
  const xml = renderMobileconfig({
    settings,
    profileUuid: "8F1E6C1A-0000-4000-8000-000000000001",
    payloadUuid: "8F1E6C1A-0000-4000-8000-000000000002",
  });
  await assertGolden("darwin.ccgate.mobileconfig", xml);
  const profile = plistValue(parseXml(xml)) as Record<string, unknown>;
  assertEquals(profile.PayloadType, "Configuration");
  const [payload] = profile.PayloadContent as Record<string, unknown>[];
  assertEquals(payload!.PayloadType, "com.anthropic.claudecode");
  assertEquals(payload!.apiKeyHelper, "/usr/local/bin/ccgate token");
  assertEquals((payload!.env as Record<string, string>).ANTHROPIC_BASE_URL, GATEWAY);
  assertEquals((payload!.permissions as { deny: string[] }).deny, ["WebSearch"]);
});

Deno.test("renderRegFile() golden .reg: HKLM\\SOFTWARE\\Policies\\ClaudeCode Settings = the JSON", async () => {
  const settings = ccgateSettings({
    mode: "anthropic",
    gatewayUrl: GATEWAY,
    apiKeyHelper: `${PROGRAM.windows} token`,
  });
  const reg = renderRegFile(settings);
  await assertGolden("windows.ccgate.reg", reg.replace(/\r\n/g, "\n"));
  const line = reg.split("\r\n").find((l) => l.startsWith('"Settings"='))!;
  const value = line.slice('"Settings"="'.length, -1).replace(/\\(.)/g, "$1");
  assertEquals(JSON.parse(value), settings);
  assertStringIncludes(reg, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]");
  await assertGolden(
    "windows.ccgate-policy.ps1",
    renderRegistryScript(settings).replace(/\r\n/g, "\n"),
  );
});

Deno.test("renderSettingsJson() renders 2-space JSON with a final newline", () => {
  assertEquals(renderSettingsJson({ a: { b: 1 } }), '{\n  "a": {\n    "b": 1\n  }\n}\n');
});

/** A home with the characters systemd, cron and cmd.exe treat specially. */
const ODD_HOME = "/home/a%h $b";
const ODD_ENV = { CCGATE_CONFIG_DIR: `${ODD_HOME}/cfg`, CCGATE_STORE: "file" };

Deno.test("renderSystemdUnits() escapes % (not $ in the program) and pins the refresh's environment", () => {
  const units = renderSystemdUnits({ program: `${ODD_HOME}/.local/bin/ccgate`, env: ODD_ENV });
  assertEquals(units.service.split("\n").slice(5), [
    "[Service]",
    "Type=oneshot",
    'Environment="CCGATE_CONFIG_DIR=/home/a%%h $b/cfg"',
    'Environment="CCGATE_STORE=file"',
    // The program is not `$`-expanded by systemd (only later arguments are).
    'ExecStart="/home/a%%h $b/.local/bin/ccgate" refresh',
    "",
  ]);
  assertEquals(
    renderSystemdUnits({ program: "/home/x%y/ccgate" }).service.split("\n").at(-2),
    "ExecStart=/home/x%%y/ccgate refresh",
  );
});

Deno.test("renderSystemdUnits() output with % and $ in the path passes systemd-analyze verify", async () => {
  let analyze = true;
  try {
    await Deno.stat("/usr/bin/systemd-analyze");
  } catch {
    analyze = false;
  }
  if (!analyze) {
    console.warn("systemd-analyze not installed: skipping `systemd-analyze verify` of odd paths");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const home = `${dir}/a%h $b`;
    await Deno.mkdir(home);
    const program = `${home}/ccgate`;
    await Deno.writeTextFile(program, "#!/bin/sh\n", { mode: 0o755 });
    const units = renderSystemdUnits({ program, env: { CCGATE_CONFIG_DIR: `${home}/cfg` } });
    await Deno.writeTextFile(`${dir}/ccgate-refresh.service`, units.service);
    await Deno.writeTextFile(`${dir}/ccgate-refresh.timer`, units.timer);
    const out = await new Deno.Command("/usr/bin/systemd-analyze", {
      args: ["verify", "--man=no", `${dir}/ccgate-refresh.timer`, `${dir}/ccgate-refresh.service`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(stderr.split("\n").filter((l) => l.includes("ccgate")), [], stderr);
    assertEquals(out.code, 0, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderCrontabLines() escapes % (cron's newline) and pins the refresh's environment", () => {
  assertEquals(
    renderCrontabLines({ program: `${ODD_HOME}/ccgate`, env: ODD_ENV }),
    [
      "*/10 * * * * CCGATE_CONFIG_DIR='/home/a\\%h $b/cfg' CCGATE_STORE=file '/home/a\\%h $b/ccgate' refresh >/dev/null 2>&1 # ccgate-refresh",
      "@reboot CCGATE_CONFIG_DIR='/home/a\\%h $b/cfg' CCGATE_STORE=file '/home/a\\%h $b/ccgate' refresh >/dev/null 2>&1 # ccgate-refresh",
    ],
  );
  assertEquals(
    renderCrontabLines({ program: "/home/cron50%/.local/bin/ccgate" })[1],
    "@reboot /home/cron50\\%/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh",
  );
});

Deno.test("renderLaunchAgentPlist() pins the refresh's environment in EnvironmentVariables", () => {
  const xml = renderLaunchAgentPlist({ program: PROGRAM.darwin, env: ODD_ENV });
  const plist = plistValue(parseXml(xml)) as Record<string, unknown>;
  assertEquals(plist.EnvironmentVariables, ODD_ENV);
  const plain = plistValue(parseXml(renderLaunchAgentPlist({ program: PROGRAM.darwin })));
  assert(!("EnvironmentVariables" in (plain as Record<string, unknown>)));
});

Deno.test("renderTaskSchedulerXml() pins the refresh's environment through cmd.exe", () => {
  const xml = renderTaskSchedulerXml({
    program: PROGRAM.windows,
    principal: { userId: "CORP\\dev" },
    env: { CCGATE_CONFIG_DIR: "D:\\ccgate cfg", CCGATE_STORE: "file" },
  });
  const exec = child(child(parseXml(xml), "Actions"), "Exec");
  assertEquals(child(exec, "Command").text, "cmd.exe");
  assertEquals(
    child(exec, "Arguments").text,
    `/d /c set "CCGATE_CONFIG_DIR=D:\\ccgate cfg"&& set "CCGATE_STORE=file"&& "${PROGRAM.windows}" refresh`,
  );
});

Deno.test("renderers refuse a line break in a path with one clear error", () => {
  const program = "/home/a\nb/.local/bin/ccgate";
  for (
    const render of [
      () => renderSystemdUnits({ program }),
      () => renderCrontabLines({ program }),
      () => renderSystemdUnits({ program: PROGRAM.linux, env: { CCGATE_CONFIG_DIR: "/x\ny" } }),
    ]
  ) {
    const err = assertThrows(render, InstallerError);
    assertEquals(err.code, "usage");
    assertStringIncludes(err.message, "contains a line break");
  }
});
