/**
 * The doctor's checks of what Claude Code reads from its settings files and
 * environment (private: {@linkcode runDoctor} runs them).
 *
 * @module
 */
import { parseJsonObject } from "./_json_object.ts";
import { FORBIDDEN_SETTINGS } from "./ccgate_settings.ts";
import { MANAGED_SETTINGS_DIR } from "./claude_settings_location.ts";
import type { DoctorCheck, DoctorDeps } from "./doctor.ts";
import { gatewayEnvConflicts, gatewayEnvNames } from "./gateway_env_conflicts.ts";
import type { InstallManifest } from "./install_manifest.ts";
import type { Sys } from "./sys.ts";

/** A JSON object file; `undefined` when absent or not a JSON object. */
export async function readJson(
  sys: Sys,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await sys.readFile(path);
  return bytes === undefined ? undefined : parseJsonObject(bytes);
}

/** Settings sources Claude Code reads (user first, managed last), for the forceLogin* and env checks. */
async function settingsSources(sys: Sys): Promise<[string, Record<string, unknown>][]> {
  const sep = sys.os === "windows" ? "\\" : "/";
  const dir = MANAGED_SETTINGS_DIR[sys.os];
  const paths = [
    `${sys.home}${sep}.claude${sep}settings.json`,
    `${dir}${sep}managed-settings.json`,
    ...(await sys.listDir(`${dir}${sep}managed-settings.d`)).filter((n) => n.endsWith(".json"))
      .map((n) => `${dir}${sep}managed-settings.d${sep}${n}`),
  ];
  const out: [string, Record<string, unknown>][] = [];
  for (const p of paths) {
    const v = await readJson(sys, p);
    if (v) out.push([p, v]);
  }
  const command = sys.os === "darwin"
    ? ["plutil", [
      "-convert",
      "json",
      "-o",
      "-",
      "--",
      "/Library/Managed Preferences/com.anthropic.claudecode.plist",
    ], "MDM profile com.anthropic.claudecode"] as const
    : sys.os === "windows"
    ? [
      "reg",
      ["query", "HKLM\\SOFTWARE\\Policies\\ClaudeCode", "/v", "Settings"],
      "HKLM\\SOFTWARE\\Policies\\ClaudeCode",
    ] as const
    : undefined;
  if (command) {
    try {
      const res = await sys.run(command[0], [...command[1]]);
      const text = sys.os === "windows"
        ? /Settings\s+REG_\w+\s+(.*)$/m.exec(res.stdout)?.[1] ?? ""
        : res.stdout;
      if (res.code === 0) out.push([command[2], JSON.parse(text)]);
    } catch {
      // no MDM source
    }
  }
  return out;
}

/** Whether a settings source is the user's own file (else managed: the admin's). */
const isUserSource = (sys: Sys, source: string) =>
  source.startsWith(`${sys.home}${sys.os === "windows" ? "\\" : "/"}.claude`);

/**
 * `forceLoginMethod`/`forceLoginOrgUUID`. In managed settings Claude Code
 * 2.1.197 refuses to start with an apiKeyHelper ("This machine's managed
 * settings require a first-party login, but an Anthropic-issued credential
 * (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, or apiKeyHelper) is configured"):
 * a failure. In the user's settings it only narrows `/login`'s choices,
 * which ccgate does not use: a warning.
 */
export async function checkForceLogin(deps: DoctorDeps): Promise<DoctorCheck> {
  const managed: string[] = [];
  const user: string[] = [];
  for (const [source, settings] of await settingsSources(deps.sys)) {
    for (const key of FORBIDDEN_SETTINGS) {
      if (!Object.hasOwn(settings, key)) continue;
      (isUserSource(deps.sys, source) ? user : managed).push(`${key} in ${source}`);
    }
  }
  if (managed.length > 0) {
    return {
      id: "force-login",
      status: "fail",
      message: `${
        managed.join(", ")
      }: Claude Code then refuses the gateway's credentials (the apiKeyHelper) at start-up`,
      fix: "ask the admin to remove forceLoginMethod/forceLoginOrgUUID from the managed settings",
    };
  }
  if (user.length > 0) {
    return {
      id: "force-login",
      status: "warn",
      message: `${
        user.join(", ")
      }: Claude Code reads it there only for \`/login\`, which ccgate does not use`,
      fix: "remove forceLoginMethod/forceLoginOrgUUID from those settings",
    };
  }
  return {
    id: "force-login",
    status: "pass",
    message: "no forceLoginMethod/forceLoginOrgUUID in any settings source",
  };
}

/**
 * Environment variables that keep Claude Code away from the gateway (another
 * provider, personal credentials, a Bedrock-style model id: see
 * {@linkcode gatewayEnvConflicts}), where Claude Code would find them: this
 * process's environment (the shell's), then each settings file's `env`, which
 * Claude Code applies over it (user settings first, managed last). Names
 * each with where it is set; never a value.
 */
export async function checkClaudeEnv(
  deps: DoctorDeps,
  m: InstallManifest | undefined,
): Promise<DoctorCheck> {
  const mode = m?.mode ?? "anthropic";
  const effective: Record<string, string> = {};
  const where = new Map<string, string>();
  for (const name of gatewayEnvNames(mode)) {
    const value = deps.sys.env(name);
    if (value === undefined) continue;
    effective[name] = value;
    where.set(name, "");
  }
  for (const [source, settings] of await settingsSources(deps.sys)) {
    const env = settings.env;
    if (typeof env !== "object" || env === null || Array.isArray(env)) continue;
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== "string") continue;
      effective[name] = value;
      where.set(name, source);
    }
  }
  const conflicts = gatewayEnvConflicts(mode, effective);
  if (conflicts.length === 0) {
    return {
      id: "claude-env",
      status: "pass",
      message: "no environment variable sends Claude Code elsewhere or with other credentials",
    };
  }
  const shell = deps.sys.os === "windows"
    ? "your user environment variables (System Properties → Environment Variables), then open a new terminal"
    : "your shell profile (~/.bashrc, ~/.zshrc, ~/.profile), then `unset` it or open a new terminal";
  const fixOf = (name: string, source: string) =>
    source === ""
      ? `remove ${name} from ${shell}`
      : isUserSource(deps.sys, source)
      ? `remove env.${name} from ${source}${
        m?.settings?.path === source ? " (or run `ccgate install` again: it takes it over)" : ""
      }`
      : `ask the admin to remove env.${name} from ${source}`;
  return {
    id: "claude-env",
    status: "fail",
    message: conflicts.map((c) => {
      const source = where.get(c.name)!;
      return `${c.name} (set in ${source === "" ? "your environment" : source}) ${c.why}`;
    }).join("; "),
    fix: conflicts.map((c) => fixOf(c.name, where.get(c.name)!)).join("; "),
  };
}
