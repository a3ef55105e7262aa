/**
 * Test helper: the machines `install_test.ts` and `reinstall_test.ts` install
 * on (a rooted {@linkcode Sys} with a user's settings and a scripted systemd
 * user manager), and the shorthands they share.
 *
 * @module
 */
import type { SelfProgram } from "../install_plan.ts";
import { install } from "../install.ts";
import { type RootedSys, rootedSys } from "./rooted_sys.ts";

/** ccgate under `deno run` (install writes a launcher). */
export const SELF: SelfProgram = {
  kind: "launcher",
  launcher: { deno: "/usr/local/bin/deno", args: ["run", "-A", "/opt/ccgate/client/cli/main.ts"] },
};
/** The gateway URL installed. */
export const URL_ = "https://ccgate.example.com";
/** The user's own settings before install (odd formatting on purpose). */
export const USER_SETTINGS =
  '{\n    "theme": "dark",\n    "env": {"FOO": "1"},\n    "permissions": {"allow": ["Bash(ls)"]}\n}\n';

/** Runs `fn` over a temporary root, removed afterwards. */
export async function withRoot(fn: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "ccgate-install-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A home with user settings (odd formatting, mode 0644) and a systemd user manager. */
export async function userHome(root: string, answer?: Parameters<typeof rootedSys>[0]["answer"]) {
  await Deno.mkdir(`${root}/home/dev/.claude`, { recursive: true });
  await Deno.writeTextFile(`${root}/home/dev/.claude/settings.json`, USER_SETTINGS, {
    mode: 0o644,
  });
  await Deno.chmod(`${root}/home/dev/.claude/settings.json`, 0o644);
  return rootedSys({
    root,
    answer: answer ?? systemdUserAnswer,
  });
}

/** A machine whose systemd user manager runs and takes every `systemctl` command; nothing else is installed. */
export const systemdUserAnswer: NonNullable<Parameters<typeof rootedSys>[0]["answer"]> = (
  command,
  args,
) =>
  command === "systemctl" && args[1] === "is-system-running"
    ? { stdout: "running\n" }
    : command === "systemctl"
    ? {}
    : "missing";

export const configDir = "/home/dev/.config/ccgate";

/** The probes: versions, status, `crontab -l`, whether the timer is enabled and active. */
export const PROBES = ["is-system-running", "is-enabled", "is-active"];
/** The commands that change something (not the probes). */
export const changes = (sys: RootedSys) =>
  sys.commands.filter((c) =>
    c.args[0] !== "--version" && !PROBES.includes(c.args[1] ?? "") && c.args[0] !== "-l"
  );
export const userInstall = (sys: RootedSys, extra: Partial<Parameters<typeof install>[0]> = {}) =>
  install({ url: URL_, scope: "user", mode: "anthropic", configDir, self: SELF, ...extra }, sys);

/** A home whose systemd user manager fails `enable` while `state.failEnable`, and reports the timer's state. */
export function systemdHome(root: string, state: { failEnable: boolean; enabled: boolean }) {
  return userHome(root, (command, args) => {
    if (command !== "systemctl") return "missing";
    if (args[1] === "is-system-running") return { stdout: "running\n" };
    if (args[1] === "is-enabled") {
      return state.enabled ? { stdout: "enabled\n" } : { code: 1, stdout: "disabled\n" };
    }
    if (args[1] === "is-active") {
      return state.enabled ? { stdout: "active\n" } : { code: 3, stdout: "inactive\n" };
    }
    if (args[1] === "enable") {
      if (state.failEnable) return { code: 1, stderr: "Failed to enable unit: boom\n" };
      state.enabled = true;
    }
    if (args[1] === "disable") state.enabled = false;
    return {};
  });
}

export const enableNow = {
  command: "systemctl",
  args: ["--user", "enable", "--now", "ccgate-refresh.timer"],
};

export async function readManifest(sys: RootedSys) {
  return JSON.parse(await Deno.readTextFile(sys.real(`${configDir}/install.json`)));
}
