import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { rootedSys } from "./_testing/rooted_sys.ts";
import { renderDoctorText, runDoctor } from "./doctor.ts";
import { install } from "./install.ts";
import { byId, checksSignedOut, fakeDeno, NOW } from "./_testing/doctor_fixture.ts";

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

Deno.test("runDoctor() fails an apiKeyHelper program that cannot run: not executable, or a launcher whose checkout or deno moved", async () => {
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
    const settings = async () => (await checksSignedOut(sys)).settings!;
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
    // The deno the launcher recorded is gone (an npx cache cleared).
    await Deno.rename(`${root}/src/moved`, `${root}/src/ccgate`);
    await Deno.remove(`${root}/usr/bin/deno`);
    check = await settings();
    assertEquals(check.status, "fail");
    assertStringIncludes(
      check.message,
      "/home/dev/.local/bin/ccgate starts deno /usr/bin/deno, which is missing",
    );
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
