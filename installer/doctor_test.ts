import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { closedPort } from "../testing/closed_port.ts";
import { rootedSys } from "./_testing/rooted_sys.ts";
import { renderDoctorText, runDoctor } from "./doctor.ts";
import { parseLaunchctlList, parseSchtasksQuery, parseSystemctlShow } from "./schedule_status.ts";
import {
  byId,
  CONFIG_DIR,
  fakeDeno,
  installForDoctor,
  NOW,
  signedIn,
  startGateway,
  SYSTEMD_OK,
} from "./_testing/doctor_fixture.ts";

Deno.test("runDoctor() passes every check on a working install", async () => {
  const root = await Deno.makeTempDir();
  await using gw = startGateway(NOW);
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    const sys = rootedSys({
      root,
      now: NOW,
      answer: (command, args) => {
        if (command === "claude") return { stdout: "2.1.197 (Claude Code)\n" };
        if (command === "systemctl" && args[1] === "is-system-running") {
          return { stdout: "running\n" };
        }
        if (command === "systemctl" && args[1] === "show") return { stdout: SYSTEMD_OK };
        if (command === "systemctl") return {};
        return "missing";
      },
    });
    const configDir = CONFIG_DIR;
    await installForDoctor(sys, { url: gw.url });
    const report = await runDoctor({
      sys,
      fetch,
      configDir,
      url: gw.url,
      session: () => Promise.resolve(signedIn()),
    });
    assertEquals(
      report.checks.map((c) => [c.id, c.status]),
      [
        ["settings", "pass"],
        ["schedule", "pass"],
        ["session", "pass"],
        ["gateway", "pass"],
        ["clock", "pass"],
        ["auth", "pass"],
        ["claude-code", "pass"],
        ["force-login", "pass"],
        ["claude-env", "pass"],
      ],
      renderDoctorText(report),
    );
    assert(report.ok);
    assertStringIncludes(
      byId(report).schedule!.message,
      "last run Mon 2026-11-30 02:55:00 UTC: success",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() reports each failure with a fix line, in text and JSON", async () => {
  const root = await Deno.makeTempDir();
  await using gw = startGateway(new Date(NOW.getTime() - 120_000));
  try {
    await Deno.mkdir(`${root}/home/dev/.claude`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/home/dev/.claude/settings.json`,
      JSON.stringify({ forceLoginMethod: "claudeai" }),
    );
    // A port nothing listens on: take one, then free it.
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const deadUrl = `http://127.0.0.1:${(l.addr as Deno.NetAddr).port}`;
    l.close();
    const sys = rootedSys({ root, now: NOW });
    const report = await runDoctor({
      sys,
      fetch,
      configDir: "/home/dev/.config/ccgate",
      url: deadUrl,
      gatewayUrl: gw.url,
      session: () => Promise.resolve({ signedIn: false }),
    });
    const c = byId(report);
    assertEquals(report.ok, false);
    assertEquals(c.settings!.status, "fail");
    assertStringIncludes(c.settings!.fix!, "ccgate install --url");
    assertEquals(c.schedule!.status, "warn");
    assertEquals(c.session!.status, "fail");
    assertStringIncludes(c.session!.fix!, `ccgate login --url ${deadUrl}`);
    assertEquals(c.gateway!.status, "pass");
    assertEquals(c.clock!.status, "fail");
    assertStringIncludes(c.clock!.message, "120 s ahead of the gateway's");
    assertEquals(c.auth!.status, "fail");
    assertStringIncludes(c.auth!.message, "unreachable");
    assertEquals(c["claude-code"]!.status, "fail");
    assertStringIncludes(c["claude-code"]!.fix!, "--with-claude-code");
    assertEquals(c["force-login"]!.status, "warn");
    assertStringIncludes(
      c["force-login"]!.message,
      "forceLoginMethod in /home/dev/.claude/settings.json",
    );

    const text = renderDoctorText(report);
    for (const check of report.checks.filter((x) => x.status !== "pass")) {
      assertStringIncludes(text, `${check.id}: ${check.message}\n     fix: ${check.fix}\n`);
    }
    assertStringIncludes(text, "FAIL session: not signed in\n");
    const json = JSON.parse(JSON.stringify(report));
    assertEquals(json.checks.find((x: { id: string }) => x.id === "clock").status, "fail");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseSystemctlShow(), parseLaunchctlList(), parseSchtasksQuery() read failed last runs", () => {
  const failed = SYSTEMD_OK.replace(
    "Result=success\nExecMainStatus=0",
    "Result=exit-code\nExecMainStatus=3",
  );
  assertEquals(parseSystemctlShow(failed).lastRunOk, false);
  assertEquals(
    parseSystemctlShow(SYSTEMD_OK.replace("UnitFileState=enabled", "UnitFileState=disabled"))
      .present,
    false,
  );
  assertEquals(
    parseLaunchctlList(0, '{\n\t"LastExitStatus" = 768;\n\t"Label" = "com.ccgate.refresh";\n};')
      .lastRunOk,
    false,
  );
  assertEquals(parseLaunchctlList(113, "").present, false);
  assertEquals(
    parseSchtasksQuery(
      0,
      "TaskName: \\ccgate-refresh\nLast Run Time: 11/30/2026 3:00:00 AM\nLast Result: 0\n",
    ).lastRunOk,
    true,
  );
  assertEquals(parseSchtasksQuery(0, "Last Result: 267011\n").lastRunOk, undefined);
  assertEquals(parseSchtasksQuery(1, "").present, false);
});

Deno.test("runDoctor() checks ANTHROPIC_BEDROCK_BASE_URL for a --mode bedrock install, and fails a changed helper", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    const sys = rootedSys({ root, now: NOW });
    const configDir = CONFIG_DIR;
    await installForDoctor(sys, { mode: "bedrock", noSchedule: true });
    const deps = {
      sys,
      fetch,
      configDir,
      session: () => Promise.resolve({ signedIn: false }),
    };
    assertEquals(byId(await runDoctor(deps)).settings!.status, "pass");
    const path = sys.real("/home/dev/.claude/settings.json");
    const settings = JSON.parse(await Deno.readTextFile(path));
    settings.apiKeyHelper = "/somewhere/else token";
    await Deno.writeTextFile(path, JSON.stringify(settings));
    const check = byId(await runDoctor(deps)).settings!;
    assertEquals(check.status, "fail");
    assertStringIncludes(check.message, 'apiKeyHelper is "/somewhere/else token"');
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() asks the gateway whether it takes the session's token, at the signed-in URL before any install", async () => {
  const root = await Deno.makeTempDir();
  await using gw = startGateway(NOW);
  try {
    const sys = rootedSys({ root, now: NOW, answer: () => "missing" });
    const doctor = (accessToken: string) =>
      runDoctor({
        sys,
        fetch,
        configDir: "/home/dev/.config/ccgate",
        url: gw.url,
        session: () => Promise.resolve({ ...signedIn(), accessToken }),
      });
    const refused = byId(await doctor("revoked"));
    assertEquals(
      refused.gateway!.status,
      "pass",
      "the URL signed in to, though nothing is installed",
    );
    assertEquals(refused.token!.status, "fail");
    assertStringIncludes(refused.token!.message, "Invalid access token: revoked");
    assertStringIncludes(refused.token!.fix!, `ccgate login --url ${gw.url}`);
    assertEquals(byId(await doctor("good")).token!.status, "pass");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() with the gateway down says why, skips the clock, and words the schedule's fix for a machine never installed", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    const down = `http://127.0.0.1:${closedPort()}`;
    const sys = rootedSys({ root, now: NOW, answer: () => "missing" });
    const doctor = async () =>
      byId(
        await runDoctor({
          sys,
          fetch,
          configDir: CONFIG_DIR,
          url: down,
          session: () => Promise.resolve({ signedIn: false }),
        }),
      );
    const never = await doctor();
    assertEquals(
      never.gateway!.message,
      `gateway ${down}/healthz unreachable (connection refused)`,
    );
    assertEquals(
      never.auth!.message,
      `auth service ${down}/.well-known/oauth-authorization-server unreachable (connection refused)`,
    );
    assertEquals(never.clock, undefined, "no clock to compare with: not a second problem");
    assertEquals(never.schedule!.status, "warn");
    assertEquals(
      never.schedule!.fix,
      `run \`ccgate install --url ${down}\` (it schedules the refresh)`,
    );
    // Installed without a schedule: installing again without --no-schedule adds it.
    await installForDoctor(sys, { url: down, noSchedule: true });
    assertEquals(
      (await doctor()).schedule!.fix,
      "run `ccgate install` again (without --no-schedule)",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
