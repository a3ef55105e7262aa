import { renderDoctorText, runDoctor } from "@ccgate/installer";
import { loadCliConfig } from "./cli_config.ts";
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
 * `ccgate doctor`: settings, schedule, session, gateway and auth, clock
 * skew, Claude Code, forceLogin* — one line each, with a fix under each
 * problem. Exit code 0 when nothing failed, 8 otherwise.
 */
export async function doctorCommand(
  options: DoctorCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir).catch(() => undefined);
  const report = await runDoctor({
    sys: machineSys(deps),
    fetch: deps.fetch,
    configDir: dir,
    url: config?.url ?? deps.env("CCGATE_URL"),
    gatewayUrl: config?.gatewayUrl,
    session: () => sessionFacts(deps),
  });
  deps.stdout(
    options.json ? JSON.stringify(report, null, 2) + "\n" : renderDoctorText(report, style),
  );
  return report.ok ? EXIT.ok : EXIT.checksFailed;
}
