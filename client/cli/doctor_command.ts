import { type DoctorCheck, renderDoctorText, runDoctor } from "@ccgate/installer";
import { TokenStoreError } from "../errors.ts";
import { type CliConfig, loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { machineSys, sessionFacts } from "./installer_deps.ts";
import { serverUrls, withPublishedGateway } from "./server_urls.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate doctor`. */
export interface DoctorCommandOptions {
  /** Print JSON. */
  json?: boolean;
  /** The ccgate URL to check (default: `CCGATE_URL`, else the one signed in to). */
  url?: string;
}

/**
 * The check of a `config.json` that cannot be read: one failed check among
 * the others (doctor goes on with `--url` or `CCGATE_URL`), not a stop with exit 6 as
 * in the other commands, since doctor is what one runs to see every problem.
 */
function failedConfigCheck(err: TokenStoreError, url: string | undefined): DoctorCheck {
  return {
    id: "config",
    status: "fail",
    // The fix line says what to do: the message keeps only what is wrong.
    message: err.message.replace(/; run `ccgate login[^;]*$/, ""),
    fix: err.code === "store_corrupt"
      ? `run \`ccgate login --url ${url ?? "<ccgate URL>"}\` to rewrite it`
      : "fix what the message names, or set CCGATE_CONFIG_DIR to another folder",
  };
}

/**
 * `ccgate doctor`: settings, schedule, session, gateway and auth, clock
 * skew, Claude Code, forceLogin* — one line each, with a fix under each
 * problem; a `config.json` it cannot read is a failed `config` check. The
 * server is `--url`'s, else `CCGATE_URL`'s, else the one signed in to; the
 * session's token goes only to the latter. Exit code 0 when nothing failed,
 * 8 otherwise; 2 for a URL it could not use.
 */
export async function doctorCommand(
  options: DoctorCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const dir = configDir(deps);
  let config: CliConfig | undefined;
  let unreadable: TokenStoreError | undefined;
  try {
    config = await loadCliConfig(dir);
  } catch (err) {
    if (!(err instanceof TokenStoreError)) throw err;
    unreadable = err;
  }
  const chosen = serverUrls(options.url, deps.env("CCGATE_URL"), config);
  const server = chosen && await withPublishedGateway(chosen, deps.fetch);
  const configCheck = unreadable && failedConfigCheck(unreadable, server?.url);
  const report = await runDoctor({
    sys: machineSys(deps),
    fetch: deps.fetch,
    configDir: dir,
    url: server?.url,
    gatewayUrl: server?.gatewayUrl,
    session: async () => {
      if (configCheck !== undefined) {
        throw new Error("its store is unknown while config.json cannot be read (see config)");
      }
      const facts = await sessionFacts(deps);
      // Another server than the one signed in to is not sent this session's token.
      if (server?.signedIn === false) delete facts.accessToken;
      return facts;
    },
  });
  if (configCheck !== undefined) {
    report.checks.unshift(configCheck);
    report.ok = false;
  }
  deps.stdout(
    options.json ? JSON.stringify(report, null, 2) + "\n" : renderDoctorText(report, style),
  );
  return report.ok ? EXIT.ok : EXIT.checksFailed;
}
