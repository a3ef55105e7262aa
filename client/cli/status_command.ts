import { fetchFailure } from "@ccgate/installer";
import { TokenSession } from "../token_session.ts";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { openLock, openStore } from "./open_store.ts";
import { serverUrls, withPublishedGateway } from "./server_urls.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate status`. */
export interface StatusCommandOptions {
  /** Print JSON. */
  json?: boolean;
  /** The ccgate URL whose gateway to probe (default: `CCGATE_URL`, else the one signed in to). */
  url?: string;
}

/** What `ccgate status --json` prints. */
export interface StatusReport {
  signedIn: boolean;
  url?: string;
  identity?: { sub?: string; name?: string; email?: string; tid?: string; sid?: string };
  accessTokenExpiresAt?: string;
  refreshable?: boolean;
  store?: { kind: string; location: string };
  gateway?: {
    url: string;
    reachable: boolean;
    status?: number;
    error?: string;
    /** Set when the gateway refused the access token (401): its message. */
    refusedToken?: string;
  };
}

/** The payload of a JWT, unverified: for display only. */
function displayClaims(jwt: string): Record<string, unknown> {
  try {
    const part = jwt.split(".")[1] ?? "";
    const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

async function probeGateway(url: string, deps: CliDeps): Promise<StatusReport["gateway"]> {
  const healthz = new URL("healthz", url.endsWith("/") ? url : url + "/");
  try {
    const response = await deps.fetch(healthz, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return { url, reachable: response.ok, status: response.status };
  } catch (err) {
    return { url, reachable: false, error: fetchFailure(err) };
  }
}

/**
 * Whether the gateway takes the access token (`GET /v1/models`): a session
 * an admin revoked, or a gateway whose keys changed, still looks valid here
 * until the token expires. Its 401 message when it does not.
 */
async function refusedToken(
  url: string,
  accessToken: string,
  deps: CliDeps,
): Promise<string | undefined> {
  try {
    const models = new URL("v1/models", url.endsWith("/") ? url : url + "/");
    const response = await deps.fetch(models, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    const body = await response.text();
    if (response.status !== 401) return undefined;
    try {
      const message = JSON.parse(body)?.error?.message;
      return typeof message === "string" ? message.slice(0, 200) : "HTTP 401";
    } catch {
      return "HTTP 401";
    }
  } catch {
    return undefined; // unreachable: the health probe says so
  }
}

function expiry(ms: number): string {
  if (ms <= 0) return "expired";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "expires in less than 1 min";
  if (minutes < 120) return `expires in ${minutes} min`;
  return `expires in ${Math.round(minutes / 60)} h`;
}

/**
 * `ccgate status`: who is signed in, to which ccgate, until when, where the
 * session is kept, and whether the gateway answers: `--url`'s, else
 * `CCGATE_URL`'s, else the one signed in to (only that one is sent the
 * session's token). Exit code 0 when signed in, 3 when not, 2 for a URL it
 * could not use.
 */
export async function statusCommand(
  options: StatusCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir);
  const chosen = serverUrls(options.url, deps.env("CCGATE_URL"), config);
  const server = chosen && await withPublishedGateway(chosen, deps.fetch);
  const report: StatusReport = { signedIn: false };
  let stored: Awaited<ReturnType<TokenSession["load"]>>;
  if (config !== undefined) {
    const store = openStore(config.store, dir, deps.runner);
    const session = new TokenSession(store, {
      lock: openLock(dir),
      deps: { now: deps.now, fetch: deps.fetch },
    });
    stored = await session.load();
    report.url = config.url;
    report.store = { kind: store.kind, location: store.location };
    if (stored !== undefined) {
      const claims = displayClaims(stored.accessToken);
      const str = (k: string) => typeof claims[k] === "string" ? claims[k] as string : undefined;
      report.signedIn = true;
      report.identity = {
        sub: str("sub"),
        name: str("name"),
        email: str("email"),
        tid: str("tid"),
        sid: str("sid"),
      };
      report.accessTokenExpiresAt = new Date(stored.expiresAt).toISOString();
      report.refreshable = stored.refreshToken !== undefined;
    }
  }
  if (server !== undefined) {
    const gateway = await probeGateway(server.gatewayUrl ?? server.url, deps);
    report.gateway = gateway;
    // Only the server signed in to is sent the session's token, and only a live one.
    const token = server.signedIn && stored !== undefined &&
        stored.expiresAt > deps.now().getTime()
      ? stored.accessToken
      : undefined;
    if (gateway !== undefined && token !== undefined && gateway.reachable) {
      const refused = await refusedToken(gateway.url, token, deps);
      if (refused !== undefined) gateway.refusedToken = refused;
    }
  }
  const code = report.signedIn && report.gateway?.refusedToken === undefined
    ? EXIT.ok
    : EXIT.loginRequired;
  if (options.json) {
    deps.stdout(JSON.stringify(report, null, 2) + "\n");
    return code;
  }
  const lines: string[] = [];
  if (!report.signedIn) {
    const login = server?.signedIn === false ? `ccgate login --url ${server.url}` : "ccgate login";
    lines.push(`${style.yellow("Not signed in")}: run \`${login}\``);
  } else {
    const who = [report.identity?.name, report.identity?.email && `<${report.identity.email}>`]
      .filter(Boolean).join(" ") || report.identity?.sub || "unknown user";
    const left = new Date(report.accessTokenExpiresAt!).getTime() - deps.now().getTime();
    lines.push(`${style.green("Signed in")} to ${style.bold(report.url!)} as ${style.bold(who)}`);
    lines.push(
      `Access token: ${expiry(left)} (${report.accessTokenExpiresAt}); ${
        report.refreshable ? "refreshed automatically" : "no refresh token"
      }`,
    );
  }
  if (report.store) lines.push(`Token store: ${report.store.kind} (${report.store.location})`);
  if (report.gateway) {
    const g = report.gateway;
    lines.push(
      `Gateway: ${g.url} ${
        g.reachable
          ? style.green("reachable")
          : style.red(`unreachable (${g.status ? `HTTP ${g.status}` : g.error})`)
      }`,
    );
    if (g.refusedToken !== undefined) {
      lines.push(
        `${
          style.red("The gateway refuses this session's token")
        } (${g.refusedToken}): run \`ccgate login\``,
      );
    }
  }
  deps.stdout(lines.join("\n") + "\n");
  return code;
}
