import { type DoctorCheck, renderDoctorText, runDoctor } from "@ccgate/installer";
import { TokenStoreError } from "../errors.ts";
import { type CliConfig, loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { machineSys, sessionFacts } from "./installer_deps.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate doctor`. */
export interface DoctorCommandOptions {
  /** Print JSON. */
  json?: boolean;
}

/**
 * The check of a `config.json` that cannot be read: one failed check among
 * the others (doctor goes on with `CCGATE_URL`), not a stop with exit 6 as
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
 * problem; a `config.json` it cannot read is a failed `config` check. Exit
 * code 0 when nothing failed, 8 otherwise.
 */
export async function doctorCommand(
  options: DoctorCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const dir = configDir(deps);
  let config: CliConfig | undefined;
  let configCheck: DoctorCheck | undefined;
  try {
    config = await loadCliConfig(dir);
  } catch (err) {
    if (!(err instanceof TokenStoreError)) throw err;
    configCheck = failedConfigCheck(err, deps.env("CCGATE_URL"));
  }
  const report = await runDoctor({
    sys: machineSys(deps),
    fetch: deps.fetch,
    configDir: dir,
    url: config?.url ?? deps.env("CCGATE_URL"),
    gatewayUrl: config?.gatewayUrl,
    session: () =>
      configCheck === undefined ? sessionFacts(deps) : Promise.reject(
        new Error("its store is unknown while config.json cannot be read (see config)"),
      ),
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
