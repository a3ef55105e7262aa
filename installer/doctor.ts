import { checkClaudeEnv, checkForceLogin } from "./_doctor_settings_checks.ts";
import {
  checkClaudeCode,
  checkClock,
  checkSchedule,
  checkSession,
  checkSettings,
  checkTokenAccepted,
  probe,
  readSession,
} from "./_doctor_checks.ts";
import { readInstallManifest } from "./install.ts";
import type { InstallManifest } from "./install_manifest.ts";
import type { Sys } from "./sys.ts";

/** The outcome of one check. */
export type CheckStatus = "pass" | "warn" | "fail";

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** Stable id: `config` (the CLI's, when it cannot be read), `settings`, `schedule`, `session`, `gateway`, `clock` (when the gateway answered), `token`, `auth`, `claude-code`, `force-login`, `claude-env`. */
  id: string;
  /** pass, warn or fail. */
  status: CheckStatus;
  /** What was found. */
  message: string;
  /** What to do about it (for warn and fail). */
  fix?: string;
}

/** The doctor's report. */
export interface DoctorReport {
  /** No check failed. */
  ok: boolean;
  /** Every check, in order. */
  checks: DoctorCheck[];
}

/** The session as the CLI sees it. */
export interface SessionFacts {
  /** Whether a session is stored. */
  signedIn: boolean;
  /** When the access token expires. */
  expiresAt?: Date;
  /** Whether it can be refreshed without signing in. */
  refreshable?: boolean;
  /** The access token, to ask the gateway whether it still takes it (never printed). */
  accessToken?: string;
}

/** What the doctor needs. */
export interface DoctorDeps {
  /** The machine. */
  sys: Sys;
  /** `fetch`, for the gateway and the auth service. */
  fetch: typeof fetch;
  /** The ccgate config folder (install manifest). */
  configDir: string;
  /** The ccgate URL signed in to (auth), if known. */
  url?: string;
  /** The gateway URL, if known besides the manifest's. */
  gatewayUrl?: string;
  /** Loads the session (the CLI's token store). */
  session: () => Promise<SessionFacts>;
  /** Largest tolerated clock skew, seconds. @default {30} */
  maxSkewSeconds?: number;
}

/**
 * `ccgate doctor`: checks that this workstation is a working ccgate
 * workstation, each check with a fix. Never throws for a failed check.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  let manifest: InstallManifest | undefined;
  const checks: DoctorCheck[] = [];
  try {
    manifest = await readInstallManifest(deps.sys, deps.configDir);
  } catch (err) {
    checks.push({
      id: "settings",
      status: "fail",
      message: (err as Error).message,
      fix: "run `ccgate install` again",
    });
  }
  if (checks.length === 0) checks.push(await checkSettings(deps, manifest));
  checks.push(await checkSchedule(deps, manifest));
  const session = await readSession(deps);
  checks.push(checkSession(deps, session));
  // Not installed yet: the URL signed in to (gateway and auth on one origin, as `main.ts` serves).
  const gateway = (deps.gatewayUrl ?? manifest?.gatewayUrl ?? deps.url)?.replace(/\/+$/, "");
  const url = (deps.url ?? manifest?.gatewayUrl)?.replace(/\/+$/, "");
  if (gateway) {
    const sentAt = deps.sys.now().getTime();
    const g = await probe(
      deps,
      "gateway",
      "gateway",
      `${gateway}/healthz`,
      "check the URL, your network or VPN, and the gateway's status",
    );
    checks.push(g.check);
    // A gateway that did not answer has no clock to compare with: the gateway line says why.
    if (g.answered) checks.push(checkClock(deps, g.date, sentAt));
    if (g.check.status === "pass") {
      const accepted = await checkTokenAccepted(deps, gateway, session);
      if (accepted) checks.push(accepted);
    }
  } else {
    checks.push({
      id: "gateway",
      status: "fail",
      message: "no gateway URL known",
      fix: "run `ccgate install --url <ccgate URL>`",
    });
  }
  if (url) {
    const a = await probe(
      deps,
      "auth",
      "auth service",
      `${url}/.well-known/oauth-authorization-server`,
      "check the URL, your network or VPN, and the auth service's status",
    );
    checks.push(a.check);
  }
  checks.push(await checkClaudeCode(deps, manifest));
  checks.push(await checkForceLogin(deps));
  checks.push(await checkClaudeEnv(deps, manifest));
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

/** Renders the report as text: one line per check, a `fix:` line under each problem. */
export function renderDoctorText(
  report: DoctorReport,
  style: { green(s: string): string; red(s: string): string; yellow(s: string): string } = {
    green: (s) => s,
    red: (s) => s,
    yellow: (s) => s,
  },
): string {
  const mark = { pass: style.green("ok  "), warn: style.yellow("warn"), fail: style.red("FAIL") };
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${mark[c.status]} ${c.id}: ${c.message}`);
    if (c.fix && c.status !== "pass") lines.push(`     fix: ${c.fix}`);
  }
  return lines.join("\n") + "\n";
}
