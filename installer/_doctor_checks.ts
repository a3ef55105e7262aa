/**
 * The checks of `ccgate doctor` (private: {@linkcode runDoctor} runs them).
 *
 * @module
 */
import { parseJsonObject } from "./_json_object.ts";
import { MANAGED_SETTINGS_DIR } from "./claude_settings_location.ts";
import { FORBIDDEN_SETTINGS } from "./ccgate_settings.ts";
import { CRONTAB_MARKER } from "./crontab_entry.ts";
import type { DoctorCheck, DoctorDeps } from "./doctor.ts";
import { claudeCodeVersion } from "./install.ts";
import type { InstallManifest } from "./install_manifest.ts";
import { quoteProgram } from "./launcher.ts";
import { LAUNCHD_LABEL, REFRESH_JOB_NAME } from "./refresh_schedule.ts";
import {
  parseLaunchctlList,
  parseSchtasksQuery,
  parseSystemctlShow,
  type ScheduleStatus,
} from "./schedule_status.ts";
import type { Sys } from "./sys.ts";
import type { SessionFacts } from "./doctor.ts";

async function readJson(sys: Sys, path: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await sys.readFile(path);
  return bytes === undefined ? undefined : parseJsonObject(bytes);
}

export async function checkSettings(
  deps: DoctorDeps,
  m: InstallManifest | undefined,
): Promise<DoctorCheck> {
  const fix = `run \`ccgate install --url ${m?.gatewayUrl ?? deps.url ?? "<ccgate URL>"}\``;
  if (!m?.settings) {
    return {
      id: "settings",
      status: "fail",
      message: "ccgate is not installed (no install manifest)",
      fix,
    };
  }
  const settings = await readJson(deps.sys, m.settings.path);
  if (!settings) {
    return {
      id: "settings",
      status: "fail",
      message: `${m.settings.path} is missing or not JSON`,
      fix,
    };
  }
  const helper = `${quoteProgram(m.os, m.program)} token`;
  const env = (settings.env ?? {}) as Record<string, unknown>;
  const baseKey = m.mode === "bedrock" ? "ANTHROPIC_BEDROCK_BASE_URL" : "ANTHROPIC_BASE_URL";
  const problems: string[] = [];
  if (settings.apiKeyHelper !== helper) {
    problems.push(`apiKeyHelper is ${JSON.stringify(settings.apiKeyHelper)}, not "${helper}"`);
  }
  if (!(await deps.sys.exists(m.program))) problems.push(`${m.program} is missing`);
  if (env[baseKey] !== m.gatewayUrl) {
    problems.push(`env.${baseKey} is ${JSON.stringify(env[baseKey])}, not "${m.gatewayUrl}"`);
  }
  if (problems.length > 0) {
    return {
      id: "settings",
      status: "fail",
      message: `${m.settings.path}: ${problems.join("; ")}`,
      fix,
    };
  }
  return {
    id: "settings",
    status: "pass",
    message: `${m.settings.path} points Claude Code at ${m.gatewayUrl} through ${m.program}`,
  };
}

async function scheduleStatus(sys: Sys, m: InstallManifest): Promise<ScheduleStatus> {
  const run = async (command: string, args: string[]) => {
    try {
      return await sys.run(command, args);
    } catch {
      return { code: -1, stdout: "", stderr: `${command} not found` };
    }
  };
  switch (m.schedule!.kind) {
    case "systemd": {
      const scope = m.scope === "system" ? "--global" : "--user";
      if (scope === "--global") {
        const out = await run("systemctl", ["--global", "is-enabled", `${REFRESH_JOB_NAME}.timer`]);
        return {
          present: out.stdout.trim() === "enabled",
          detail: `timer ${out.stdout.trim() || "unknown"} for every user`,
        };
      }
      const out = await run("systemctl", [
        "--user",
        "show",
        `${REFRESH_JOB_NAME}.service`,
        `${REFRESH_JOB_NAME}.timer`,
        "-p",
        "Id",
        "-p",
        "Result",
        "-p",
        "ExecMainStatus",
        "-p",
        "UnitFileState",
        "-p",
        "ExecMainExitTimestamp",
      ]);
      return parseSystemctlShow(out.stdout);
    }
    case "cron": {
      const out = await run("crontab", ["-l"]);
      const present = out.stdout.includes(CRONTAB_MARKER);
      return {
        present,
        detail: present
          ? "crontab lines present (cron keeps no run status)"
          : "crontab lines missing",
      };
    }
    case "launchd": {
      const out = await run("launchctl", ["list", LAUNCHD_LABEL]);
      return parseLaunchctlList(out.code, out.stdout);
    }
    case "schtasks": {
      const out = await run("schtasks", ["/Query", "/TN", REFRESH_JOB_NAME, "/V", "/FO", "LIST"]);
      return parseSchtasksQuery(out.code, out.stdout);
    }
  }
}

export async function checkSchedule(
  deps: DoctorDeps,
  m: InstallManifest | undefined,
): Promise<DoctorCheck> {
  const fix = "run `ccgate install` again (without --no-schedule)";
  if (!m?.schedule) {
    return {
      id: "schedule",
      status: "warn",
      message: "no refresh schedule installed: the session is refreshed only when Claude Code asks",
      fix,
    };
  }
  const s = await scheduleStatus(deps.sys, m);
  if (!s.present) {
    return { id: "schedule", status: "fail", message: `${m.schedule.kind}: ${s.detail}`, fix };
  }
  if (s.lastRunOk === false) {
    return {
      id: "schedule",
      status: "fail",
      message: `${m.schedule.kind}: ${s.detail}`,
      fix: "run `ccgate refresh` to see the error",
    };
  }
  return { id: "schedule", status: "pass", message: `${m.schedule.kind}: ${s.detail}` };
}

/** The session, or why it cannot be read. */
export type SessionRead = SessionFacts | { error: string };

/** Reads the session once for the checks that need it. */
export async function readSession(deps: DoctorDeps): Promise<SessionRead> {
  try {
    return await deps.session();
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function _login(deps: DoctorDeps): string {
  return `run \`ccgate login${deps.url ? ` --url ${deps.url}` : ""}\``;
}

export function checkSession(deps: DoctorDeps, read: SessionRead): DoctorCheck {
  const login = _login(deps);
  if ("error" in read) {
    return {
      id: "session",
      status: "fail",
      message: `cannot read the session: ${read.error}`,
      fix: login,
    };
  }
  const s = read;
  if (!s.signedIn) return { id: "session", status: "fail", message: "not signed in", fix: login };
  const now = deps.sys.now().getTime();
  const expired = s.expiresAt !== undefined && s.expiresAt.getTime() <= now;
  if (expired && !s.refreshable) {
    return {
      id: "session",
      status: "fail",
      message: "the access token expired and cannot be refreshed",
      fix: login,
    };
  }
  return {
    id: "session",
    status: "pass",
    message: `signed in; access token ${
      expired ? "expired (refreshed on next use)" : `valid until ${s.expiresAt?.toISOString()}`
    }`,
  };
}

/**
 * Asks the gateway whether it takes the session's access token (`GET
 * /v1/models`): a session revoked by an admin, or a gateway whose keys
 * changed, still looks valid locally until the token expires. No check when
 * there is no token, or it expired (the next use refreshes it).
 */
export async function checkTokenAccepted(
  deps: DoctorDeps,
  gateway: string,
  read: SessionRead,
): Promise<DoctorCheck | undefined> {
  if ("error" in read || read.accessToken === undefined) return undefined;
  if (read.expiresAt !== undefined && read.expiresAt.getTime() <= deps.sys.now().getTime()) {
    return undefined;
  }
  try {
    const response = await deps.fetch(`${gateway}/v1/models`, {
      headers: { authorization: `Bearer ${read.accessToken}` },
      signal: AbortSignal.timeout(5_000),
      redirect: "manual",
    });
    const body = await response.text();
    if (response.status === 401) {
      let reason = "";
      try {
        const message = JSON.parse(body)?.error?.message;
        if (typeof message === "string") reason = `: ${message.slice(0, 200)}`;
      } catch {
        // Not JSON: the status says enough.
      }
      return {
        id: "token",
        status: "fail",
        message: `the gateway refuses this session's access token${reason}`,
        fix: _login(deps),
      };
    }
    if (!response.ok) {
      return {
        id: "token",
        status: "warn",
        message: `could not check the access token: the gateway answered HTTP ${response.status}`,
      };
    }
    return { id: "token", status: "pass", message: "the gateway accepts the access token" };
  } catch (err) {
    return {
      id: "token",
      status: "warn",
      message: `could not check the access token (${err instanceof Error ? err.message : err})`,
    };
  }
}

interface Probe {
  check: DoctorCheck;
  date?: Date;
}

export async function probe(
  deps: DoctorDeps,
  id: string,
  what: string,
  url: string,
  fix: string,
): Promise<Probe> {
  try {
    const response = await deps.fetch(url, {
      signal: AbortSignal.timeout(5_000),
      redirect: "manual",
    });
    await response.body?.cancel();
    const dateHeader = response.headers.get("date");
    const date = dateHeader ? new Date(dateHeader) : undefined;
    if (!response.ok) {
      return {
        check: {
          id,
          status: "fail",
          message: `${what} ${url} answered HTTP ${response.status}`,
          fix,
        },
        date,
      };
    }
    return { check: { id, status: "pass", message: `${what} ${url} reachable` }, date };
  } catch (err) {
    return {
      check: {
        id,
        status: "fail",
        message: `${what} ${url} unreachable (${err instanceof Error ? err.message : err})`,
        fix,
      },
    };
  }
}

export function checkClock(deps: DoctorDeps, date: Date | undefined, sentAt: number): DoctorCheck {
  if (!date || Number.isNaN(date.getTime())) {
    return {
      id: "clock",
      status: "warn",
      message: "no Date header from the gateway: clock skew unknown",
    };
  }
  const skew = Math.round((sentAt - date.getTime()) / 1000);
  const max = deps.maxSkewSeconds ?? 30;
  // The Date header has a one-second resolution.
  if (Math.abs(skew) > max) {
    return {
      id: "clock",
      status: "fail",
      message: `this clock is ${Math.abs(skew)} s ${
        skew > 0 ? "ahead of" : "behind"
      } the gateway's (more than ${max} s: tokens look expired or not yet valid)`,
      fix: "turn on network time (timedatectl set-ntp true / Settings → Date & Time)",
    };
  }
  return {
    id: "clock",
    status: "pass",
    message: `clock within ${Math.abs(skew)} s of the gateway's`,
  };
}

export async function checkClaudeCode(
  deps: DoctorDeps,
  m: InstallManifest | undefined,
): Promise<DoctorCheck> {
  const version = await claudeCodeVersion(deps.sys) ??
    (m?.claudeCode ? await claudeCodeVersion(deps.sys, m.claudeCode.path) : undefined);
  if (!version) {
    return {
      id: "claude-code",
      status: "fail",
      message: "Claude Code is not installed (no `claude` on PATH)",
      fix: "run `ccgate install --with-claude-code`, or install it from https://code.claude.com",
    };
  }
  return { id: "claude-code", status: "pass", message: `Claude Code ${version}` };
}

/** Settings sources Claude Code reads, for the forceLogin* check. */
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

export async function checkForceLogin(deps: DoctorDeps): Promise<DoctorCheck> {
  const found: string[] = [];
  for (const [source, settings] of await settingsSources(deps.sys)) {
    for (const key of FORBIDDEN_SETTINGS) {
      if (Object.hasOwn(settings, key)) found.push(`${key} in ${source}`);
    }
  }
  if (found.length > 0) {
    return {
      id: "force-login",
      status: "warn",
      message: `${
        found.join(", ")
      }: Claude Code then refuses the gateway's credentials at start-up`,
      fix:
        "remove forceLoginMethod/forceLoginOrgUUID from those settings (ask the admin for managed ones)",
    };
  }
  return {
    id: "force-login",
    status: "pass",
    message: "no forceLoginMethod/forceLoginOrgUUID in any settings source",
  };
}
