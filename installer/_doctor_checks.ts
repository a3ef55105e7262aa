/**
 * The checks of `ccgate doctor` (private: {@linkcode runDoctor} runs them).
 *
 * @module
 */
import { readJson } from "./_doctor_settings_checks.ts";
import type { DoctorCheck, DoctorDeps } from "./doctor.ts";
import { fetchFailure } from "./fetch_failure.ts";
import { claudeCodeVersion } from "./install.ts";
import type { InstallManifest } from "./install_manifest.ts";
import { quoteProgram } from "./launcher.ts";
import { programProblems } from "./_program_problems.ts";
import { schedulerPath } from "./_scheduler_path.ts";
import { LAUNCHD_LABEL, REFRESH_JOB_NAME } from "./refresh_schedule.ts";
import {
  parseCrontabList,
  parseLaunchctlList,
  parseSchtasksQuery,
  parseSystemctlShow,
  type ScheduleStatus,
  systemctlUserFailure,
} from "./schedule_status.ts";
import type { Sys } from "./sys.ts";
import type { SessionFacts } from "./doctor.ts";

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
  const program = await programProblems(deps.sys, m.program, () => schedulerPath(deps.sys, m));
  problems.push(...program.problems);
  if (env[baseKey] !== m.gatewayUrl) {
    problems.push(`env.${baseKey} is ${JSON.stringify(env[baseKey])}, not "${m.gatewayUrl}"`);
  }
  if (problems.length > 0) {
    const again = program.fix?.checkout
      ? `${fix} again from where the ccgate checkout is now`
      : `${fix} again`;
    return {
      id: "settings",
      status: "fail",
      message: `${m.settings.path}: ${problems.join("; ")}`,
      // install rewrites a changed launcher, not the mode of an unchanged one.
      fix: program.fix?.chmod
        ? `run \`chmod 755 ${quoteProgram(m.os, m.program)}\``
        : program.fix?.deno
        ? `install Deno, then ${again}`
        : program.fix?.checkout
        ? again
        : fix,
    };
  }
  const works = `${m.settings.path} points Claude Code at ${m.gatewayUrl} through ${m.program}`;
  if (program.warning !== undefined) {
    // The launcher falls back to the deno on PATH: it works, but not as installed.
    return {
      id: "settings",
      status: "warn",
      message: `${works}; ${program.warning}`,
      fix: `${fix} again to record it`,
    };
  }
  return { id: "settings", status: "pass", message: works };
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
      return systemctlUserFailure(out) ?? parseSystemctlShow(out.stdout);
    }
    case "cron": {
      const out = await run("crontab", ["-l"]);
      return parseCrontabList(out.stdout);
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
      // Never installed (or its record unreadable): install schedules the refresh by default.
      fix: m
        ? fix
        : `run \`ccgate install --url ${deps.url ?? "<ccgate URL>"}\` (it schedules the refresh)`,
    };
  }
  const s = await scheduleStatus(deps.sys, m);
  if (!s.present) {
    return {
      id: "schedule",
      status: "fail",
      message: `${m.schedule.kind}: ${s.detail}`,
      fix: s.fix ?? fix,
    };
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
      message: `could not check the access token (${fetchFailure(err)})`,
    };
  }
}

interface Probe {
  check: DoctorCheck;
  /** Whether anything answered (any HTTP status): else there is no clock to compare with. */
  answered: boolean;
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
        answered: true,
        date,
      };
    }
    return {
      check: { id, status: "pass", message: `${what} ${url} reachable` },
      answered: true,
      date,
    };
  } catch (err) {
    return {
      check: {
        id,
        status: "fail",
        message: `${what} ${url} unreachable (${fetchFailure(err)})`,
        fix,
      },
      answered: false,
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
