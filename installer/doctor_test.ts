import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { rootedSys } from "./_testing/rooted_sys.ts";
import { type DoctorReport, renderDoctorText, runDoctor } from "./doctor.ts";
import { install } from "./install.ts";
import {
  parseCrontabList,
  parseLaunchctlList,
  parseSchtasksQuery,
  parseSystemctlShow,
} from "./schedule_status.ts";

const NOW = new Date("2026-11-30T03:00:00Z");

/** A gateway on a real socket whose Date header says `serverDate`. */
function startGateway(serverDate: Date) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    const headers = { date: serverDate.toUTCString() };
    if (path === "/healthz" || path === "/.well-known/oauth-authorization-server") {
      return Response.json({ status: "ok" }, { headers });
    }
    if (path === "/v1/models") {
      if (req.headers.get("authorization") === "Bearer good") return Response.json({ data: [] });
      const error = { type: "authentication_error", message: "Invalid access token: revoked" };
      return Response.json({ type: "error", error }, { status: 401, headers });
    }
    return new Response("no", { status: 404, headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const SYSTEMD_OK = [
  "Id=ccgate-refresh.service",
  "Result=success",
  "ExecMainStatus=0",
  "UnitFileState=static",
  "ExecMainExitTimestamp=Mon 2026-11-30 02:55:00 UTC",
  "",
  "Id=ccgate-refresh.timer",
  "Result=success",
  "UnitFileState=enabled",
  "ExecMainExitTimestamp=",
  "",
].join("\n");

/** A session whose access token is valid for another hour. */
const signedIn = () => ({
  signedIn: true,
  expiresAt: new Date(NOW.getTime() + 3600_000),
  refreshable: true,
});

const byId = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c]));

/** A `deno` for the launcher to start (doctor checks it is there). */
async function fakeDeno(root: string) {
  await Deno.mkdir(`${root}/usr/bin`, { recursive: true });
  await Deno.writeTextFile(`${root}/usr/bin/deno`, "#!/bin/sh\n");
  await Deno.chmod(`${root}/usr/bin/deno`, 0o755);
}

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
    const configDir = "/home/dev/.config/ccgate";
    await install({
      url: gw.url,
      scope: "user",
      mode: "anthropic",
      configDir,
      self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
    }, sys);
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
    const configDir = "/home/dev/.config/ccgate";
    await install({
      url: "http://127.0.0.1:1",
      scope: "user",
      mode: "bedrock",
      noSchedule: true,
      configDir,
      self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
    }, sys);
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

Deno.test("runDoctor() fails the env variables that keep Claude Code away from the gateway, naming where each is set, never its value", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev/.claude`, { recursive: true });
    await Deno.mkdir(`${root}/etc/claude-code`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/home/dev/.claude/settings.json`,
      JSON.stringify({ env: { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_AUTH_TOKEN: "" } }),
    );
    await Deno.writeTextFile(
      `${root}/etc/claude-code/managed-settings.json`,
      JSON.stringify({ env: { ANTHROPIC_MODEL: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0" } }),
    );
    const sys = rootedSys({
      root,
      now: NOW,
      // The settings' empty ANTHROPIC_AUTH_TOKEN wins over the shell's (Claude Code applies settings env last).
      env: {
        ANTHROPIC_API_KEY: "sk-ant-shell-secret",
        ANTHROPIC_AUTH_TOKEN: "shell-bearer-secret",
      },
    });
    const report = await runDoctor({
      sys,
      fetch,
      configDir: "/home/dev/.config/ccgate",
      session: () => Promise.resolve({ signedIn: false }),
    });
    const check = byId(report)["claude-env"]!;
    assertEquals(check.status, "fail");
    assertEquals(report.ok, false);
    assertStringIncludes(
      check.message,
      "ANTHROPIC_API_KEY (set in your environment) is sent as x-api-key",
    );
    assertStringIncludes(
      check.message,
      "CLAUDE_CODE_USE_BEDROCK (set in /home/dev/.claude/settings.json) sends every request to AWS Bedrock",
    );
    assertStringIncludes(
      check.message,
      "ANTHROPIC_MODEL (set in /etc/claude-code/managed-settings.json)",
    );
    assertEquals(check.message.includes("ANTHROPIC_AUTH_TOKEN"), false);
    assertStringIncludes(check.fix!, "remove ANTHROPIC_API_KEY from your shell profile");
    assertStringIncludes(
      check.fix!,
      "remove env.CLAUDE_CODE_USE_BEDROCK from /home/dev/.claude/settings.json",
    );
    assertStringIncludes(
      check.fix!,
      "ask the admin to remove env.ANTHROPIC_MODEL from /etc/claude-code/managed-settings.json",
    );
    const text = renderDoctorText(report) + JSON.stringify(report);
    for (const secret of ["sk-ant-shell-secret", "shell-bearer-secret", "eu.anthropic"]) {
      assertEquals(text.includes(secret), false, `${secret} printed`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() fails an apiKeyHelper program that cannot run: not executable, or a launcher whose checkout moved", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await Deno.mkdir(`${root}/src/ccgate`, { recursive: true });
    await Deno.writeTextFile(`${root}/src/ccgate/main.ts`, "");
    await fakeDeno(root);
    const sys = rootedSys({ root, now: NOW });
    const configDir = "/home/dev/.config/ccgate";
    await install({
      url: "http://127.0.0.1:1",
      scope: "user",
      mode: "anthropic",
      noSchedule: true,
      configDir,
      self: {
        kind: "launcher",
        launcher: { deno: "/usr/bin/deno", args: ["run", "-A", "/src/ccgate/main.ts"] },
      },
    }, sys);
    const settings = async () =>
      byId(
        await runDoctor({
          sys,
          fetch,
          configDir,
          session: () => Promise.resolve({ signedIn: false }),
        }),
      ).settings!;
    assertEquals((await settings()).status, "pass");
    const program = sys.real("/home/dev/.local/bin/ccgate");
    await Deno.chmod(program, 0o644);
    let check = await settings();
    assertEquals(check.status, "fail");
    assertStringIncludes(check.message, "/home/dev/.local/bin/ccgate is not executable (mode 644)");
    assertEquals(check.fix, "run `chmod 755 /home/dev/.local/bin/ccgate`");
    await Deno.chmod(program, 0o755);
    await Deno.rename(`${root}/src/ccgate`, `${root}/src/moved`);
    check = await settings();
    assertEquals(check.status, "fail");
    assertStringIncludes(
      check.message,
      "/home/dev/.local/bin/ccgate starts main module /src/ccgate/main.ts, which is missing",
    );
    assertStringIncludes(check.fix!, "again from where the ccgate checkout is now");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() fails commented-out crontab lines", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    let crontab = "";
    const sys = rootedSys({
      root,
      now: NOW,
      answer: (command, args, stdin) => {
        if (command !== "crontab") return "missing";
        if (args[0] === "-l") return { stdout: crontab };
        crontab = stdin ?? "";
        return {};
      },
    });
    const configDir = "/home/dev/.config/ccgate";
    await install({
      url: "http://127.0.0.1:1",
      scope: "user",
      mode: "anthropic",
      configDir,
      self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
    }, sys);
    const schedule = async () =>
      byId(
        await runDoctor({
          sys,
          fetch,
          configDir,
          session: () => Promise.resolve({ signedIn: false }),
        }),
      ).schedule!;
    assertEquals((await schedule()).status, "pass");
    crontab = crontab.replace(/^/gm, "#");
    const check = await schedule();
    assertEquals(check.status, "fail");
    assertEquals(check.message, "cron: crontab lines commented out");
    assertStringIncludes(check.fix!, "crontab -e");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseCrontabList() counts only active lines, and not @reboot alone", () => {
  const every = "*/10 * * * * /home/dev/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh";
  const boot = "@reboot /home/dev/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh";
  assertEquals(parseCrontabList(`MAILTO=x\n${every}\n${boot}\n`).present, true);
  assertEquals(parseCrontabList(`# ${every}\n#${boot}\n`).present, false);
  assertEquals(parseCrontabList(`  #${every}\n${boot}\n`).present, false);
  assertEquals(parseCrontabList("").detail, "crontab lines missing");
});

Deno.test("runDoctor() says what systemctl --user said when it cannot reach the user manager, with a fix that is not install again", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    let reachable = true;
    const sys = rootedSys({
      root,
      now: NOW,
      answer: (command, args) => {
        if (command !== "systemctl") return "missing";
        if (!reachable) {
          return { code: 1, stderr: "Failed to connect to bus: No medium found\n" };
        }
        if (args[1] === "is-system-running") return { stdout: "running\n" };
        if (args[1] === "show") return { stdout: SYSTEMD_OK };
        return {};
      },
    });
    const configDir = "/home/dev/.config/ccgate";
    await install({
      url: "http://127.0.0.1:1",
      scope: "user",
      mode: "anthropic",
      configDir,
      self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
    }, sys);
    reachable = false;
    const check = byId(
      await runDoctor({
        sys,
        fetch,
        configDir,
        session: () => Promise.resolve({ signedIn: false }),
      }),
    ).schedule!;
    assertEquals(check.status, "fail");
    assertEquals(
      check.message,
      "systemd: `systemctl --user` failed: Failed to connect to bus: No medium found",
    );
    assertStringIncludes(check.fix!, "XDG_RUNTIME_DIR=/run/user/$(id -u)");
    assertEquals(check.fix!.includes("ccgate install"), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() fails forceLoginMethod in managed settings (Claude Code refuses the apiKeyHelper at start-up)", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/etc/claude-code/managed-settings.d`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/etc/claude-code/managed-settings.d/10-org.json`,
      JSON.stringify({ forceLoginMethod: "claudeai" }),
    );
    const report = await runDoctor({
      sys: rootedSys({ root, now: NOW }),
      fetch,
      configDir: "/home/dev/.config/ccgate",
      session: () => Promise.resolve({ signedIn: false }),
    });
    const check = byId(report)["force-login"]!;
    assertEquals(check.status, "fail");
    assertStringIncludes(
      check.message,
      "forceLoginMethod in /etc/claude-code/managed-settings.d/10-org.json",
    );
    assertStringIncludes(check.fix!, "ask the admin");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
