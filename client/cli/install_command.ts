import {
  currentPlatform,
  describeAction,
  fetchClaudeCode,
  install,
  isReleaseVersion,
  type JsonObject,
  renderDoctorText,
  renderMdmBundle,
  runDoctor,
} from "@ccgate/installer";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT, UsageError } from "./exit_codes.ts";
import { type AliasModelsLookup, fetchAliasModels } from "./fetch_alias_models.ts";
import { gatewayUrl } from "./gateway_url.ts";
import { installGatewayUrl } from "./install_gateway_url.ts";
import { machineSys, selfProgram, sessionFacts } from "./installer_deps.ts";
import { openSession } from "./open_session.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate install`. */
export interface InstallCommandOptions {
  url?: string;
  /** Checked by the command's `.choices()`. */
  scope?: "user" | "system";
  /** Checked by the command's `.choices()`. */
  mode?: "anthropic" | "bedrock";
  dryRun?: boolean;
  /** `false` with `--no-login`. */
  login?: boolean;
  /** `false` with `--no-schedule`. */
  schedule?: boolean;
  interval?: string;
  tokenTtl?: string;
  model?: string;
  policy?: string;
  allowWebSearch?: boolean;
  emit?: string;
  out?: string;
  withClaudeCode?: boolean;
  claudeCodeVersion?: string;
  mirrorUrl?: string;
}

async function readPolicy(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError(`Cannot read the policy file "${path}": ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  } catch {
    // below
  }
  throw new UsageError(`Cannot use the policy file "${path}": not a JSON object`);
}

/**
 * Bedrock mode: the gateway's model for each of Claude Code's aliases, asked
 * with this machine's session when it is one of `url`'s; a one-line reason
 * otherwise.
 */
async function aliasModelsOf(url: string, deps: CliDeps): Promise<AliasModelsLookup> {
  const config = await loadCliConfig(configDir(deps)).catch(() => undefined);
  const session = config !== undefined && (config.url === url || config.gatewayUrl === url)
    ? await openSession(deps)
    : undefined;
  if (session === undefined) return { ok: false, reason: `not signed in to ${url}` };
  let token: string;
  try {
    token = await session.accessToken();
  } catch (err) {
    return { ok: false, reason: `no access token (${(err as Error).message})` };
  }
  return await fetchAliasModels(url, token, deps.fetch);
}

/** Whether an admin's settings fragment sets a model of Claude Code's aliases itself. */
function setsAliasModels(policy: JsonObject | undefined): boolean {
  const env = policy?.env;
  return typeof env === "object" && env !== null &&
    Object.keys(env).some((name) => /^ANTHROPIC_DEFAULT_[A-Z]+_MODEL$/.test(name));
}

/**
 * `ccgate install`: makes this machine a ccgate workstation (program copy,
 * Claude Code settings, refresh schedule, optionally Claude Code from the
 * mirror), signs in if there is no session, and ends with the doctor's
 * report. In Bedrock mode at user scope it asks the gateway (with the
 * session, after signing in if need be) which model each of Claude Code's
 * aliases takes and writes them into the settings; without an answer (an
 * older gateway, no session) the install goes on without them, with a
 * one-line warning. Unless `--no-login`, it first asks the URL for ccgate's
 * metadata, once (the sign-in uses the same answer), so that a wrong or
 * unreachable URL changes nothing (exit 4); a sign-in that fails afterwards
 * leaves the install, saying so.
 * `--dry-run` prints every step (and asks the URL too); `--emit mdm` writes
 * MDM files instead of touching the machine.
 */
export async function installCommand(
  options: InstallCommandOptions,
  deps: CliDeps,
  style: Style,
  color: boolean,
): Promise<number> {
  const dir = configDir(deps);
  // A config.json it cannot read stops install before anything changes (exit 6, naming the fix).
  const config = await loadCliConfig(dir);
  const given = options.url ?? deps.env("CCGATE_URL") ?? config?.gatewayUrl ?? config?.url;
  if (!given) throw new UsageError("Missing the ccgate URL: pass --url (or set CCGATE_URL)");
  const checked = gatewayUrl(given, "Invalid --url");
  const scope = options.scope ?? "user";
  const mode = options.mode ?? "anthropic";
  const interval = options.interval === undefined ? undefined : Number(options.interval);
  if (interval !== undefined && (!Number.isInteger(interval) || interval < 1 || interval > 59)) {
    throw new UsageError(`Invalid --interval "${options.interval}": minutes, 1 to 59`);
  }
  const ttl = options.tokenTtl === undefined ? undefined : Number(options.tokenTtl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 120)) {
    throw new UsageError(`Invalid --token-ttl "${options.tokenTtl}": seconds, at least 120`);
  }
  const policy = options.policy ? await readPolicy(options.policy) : undefined;
  if (options.emit !== undefined && options.emit !== "mdm") {
    throw new UsageError(`Invalid --emit "${options.emit}": use mdm`);
  }
  // Asked once, here: a wrong or unreachable URL is refused before anything is written (not
  // with --no-login or --emit), the auth service's URL stands for its gateway where the two are
  // deployed apart, and the sign-in below uses the same answer.
  const checkGateway = options.emit === undefined && options.login !== false;
  const gateway = await installGatewayUrl(checked, config, {
    fetch: deps.fetch,
    check: checkGateway,
  });
  const url = gateway.url;
  const settingsOptions = {
    mode,
    gatewayUrl: url,
    accessTokenTtlSeconds: ttl,
    denyUnsupportedTools: !options.allowWebSearch,
    model: options.model,
    policy,
  } as const;

  if (options.emit !== undefined) {
    const out = (options.out ?? ".").replace(/(.)[\\/]+$/, "$1");
    const files = await renderMdmBundle(settingsOptions);
    for (const file of files) {
      const path = `${out}/${file.name}`;
      if (options.dryRun) {
        deps.stdout(`write  ${path}: ${file.description}\n`);
        continue;
      }
      await Deno.mkdir(out, { recursive: true });
      await Deno.writeFile(path, file.data);
      deps.stdout(`${path}: ${file.description}\n`);
    }
    return EXIT.ok;
  }

  const sys = machineSys(deps);
  let claudeCode: { bytes: Uint8Array; version: string } | undefined;
  if (options.withClaudeCode) {
    const baseUrl = options.mirrorUrl === undefined
      ? `${url}/install`
      : gatewayUrl(options.mirrorUrl, "Invalid --mirror-url");
    const version = options.claudeCodeVersion;
    // A version, or a channel of the release bucket: checked before a dry run prints it.
    if (
      version !== undefined && version !== "stable" && version !== "latest" &&
      !isReleaseVersion(version)
    ) {
      throw new UsageError(
        `Invalid --claude-code-version "${version}": a version like 2.1.197, or stable or latest`,
      );
    }
    if (options.dryRun) {
      deps.stdout(
        `fetch  ${baseUrl} Claude Code ${
          options.claudeCodeVersion ?? "stable"
        }, verified against its manifest\n`,
      );
    } else {
      claudeCode = await fetchClaudeCode({
        baseUrl,
        version: options.claudeCodeVersion,
        platform: currentPlatform(Deno.build.os, Deno.build.arch),
        fetch: deps.fetch,
      });
      deps.stderr(
        `Claude Code ${claudeCode.version} downloaded from ${baseUrl} and verified (SHA-256)\n`,
      );
    }
  }
  // Bedrock mode: Claude Code resolves `sonnet` and `haiku` to its built-in 4.5 profiles unless
  // told; the gateway knows what this user may use, in the deployment's geography.
  const askAliases = mode === "bedrock" && scope === "user" && !setsAliasModels(policy);
  let aliases: AliasModelsLookup | undefined = askAliases
    ? await aliasModelsOf(url, deps)
    : undefined;
  const installOptions = {
    url,
    scope,
    mode,
    noSchedule: options.schedule === false,
    intervalMinutes: interval,
    accessTokenTtlSeconds: ttl,
    denyUnsupportedTools: settingsOptions.denyUnsupportedTools,
    model: options.model,
    aliasModels: aliases?.ok ? aliases.models : undefined,
    policy,
    claudeCode,
    configDir: dir,
    self: await selfProgram(deps.env),
    dryRun: options.dryRun,
  };
  const result = await install(installOptions, sys);
  const willLogin = options.login !== false && scope === "user";
  if (options.dryRun) {
    if (checkGateway) {
      deps.stdout(
        `check  ${gateway.asked ?? url}: ccgate answers (asked before anything is written)\n`,
      );
    }
    for (const action of result.actions) deps.stdout(describeAction(action) + "\n");
    for (const kept of result.kept) deps.stdout(`keep   ${kept}\n`);
    if (willLogin) deps.stdout(`run    ccgate login --url ${url}: if there is no session\n`);
    if (aliases?.ok === false) {
      deps.stdout(
        `ask    ${url}/claude-code/aliases: the model of each Claude Code alias (${aliases.reason})\n`,
      );
    }
    return EXIT.ok;
  }
  if (!result.changed) deps.stderr("Already installed: nothing to change.\n");
  for (const action of result.actions) deps.stderr(`  ${describeAction(action)}\n`);
  for (const kept of result.kept) deps.stderr(`${style.yellow("kept")} ${kept}\n`);

  if (willLogin && !(await sessionFacts(deps)).signedIn) {
    const { loginCommand } = await import("./login_command.ts");
    // The install stays when the sign-in fails: say so, and how to finish or undo it.
    const unfinished = () =>
      deps.stderr(
        `${
          style.yellow("Installed, not signed in")
        }: run \`ccgate login --url ${url}\` to finish (\`ccgate uninstall\` undoes the install)\n`,
      );
    const code = await loginCommand({ url, metadata: gateway.metadata }, deps, style, color)
      .catch((err) => {
        unfinished();
        throw err;
      });
    if (code !== EXIT.ok) {
      unfinished();
      return code;
    }
    if (aliases?.ok === false) {
      // Signed in now: ask again, and write the answer into the settings just installed.
      aliases = await aliasModelsOf(url, deps);
      if (aliases.ok) {
        const again = await install({ ...installOptions, aliasModels: aliases.models }, sys);
        for (const action of again.actions) deps.stderr(`  ${describeAction(action)}\n`);
      }
    }
  }
  if (aliases?.ok && Object.keys(aliases.models).length > 0) {
    const pairs = Object.entries(aliases.models).map(([alias, id]) => `${alias} ${id}`);
    deps.stderr(`Claude Code's model aliases, as the gateway chose them: ${pairs.join(", ")}\n`);
  }
  if (aliases?.ok === false) {
    deps.stderr(
      `${
        style.yellow("warning")
      } Claude Code keeps its built-in Bedrock models for sonnet and haiku (the 4.5 ones): ${aliases.reason}\n`,
    );
  }
  // The auth service signed in to (its own URL where the gateway is deployed apart).
  const signedIn = await loadCliConfig(dir).catch(() => undefined);
  const report = await runDoctor({
    sys,
    fetch: deps.fetch,
    configDir: dir,
    url: signedIn?.gatewayUrl === url ? signedIn.url : url,
    gatewayUrl: url,
    session: () => sessionFacts(deps),
  });
  deps.stderr(renderDoctorText(report, style));
  deps.stderr(
    `${style.green("Installed")} for ${
      scope === "user" ? "this user" : "every user"
    }: Claude Code now goes through ${url}\n`,
  );
  return EXIT.ok;
}
