import { denoSys, type SelfProgram, type SessionFacts, type Sys } from "@ccgate/installer";
import type { CliDeps } from "./cli_deps.ts";
import { installDenoPath } from "./install_deno_path.ts";
import { openSession } from "./open_session.ts";

/** The machine, for the installer, over the CLI's deps (env, runner, clock). */
export function machineSys(deps: CliDeps): Sys {
  return denoSys({
    env: deps.env,
    now: deps.now,
    run: (command, args, stdin) => deps.runner(command, args, stdin === undefined ? {} : { stdin }),
  });
}

/** The `--allow-run` list of the CLI (the launcher keeps the same permissions as `deno task cli`). */
const ALLOW_RUN = [
  "security",
  "secret-tool",
  "powershell.exe",
  "az",
  "az.cmd",
  "xdg-open",
  "open",
  "rundll32",
  "systemctl",
  "crontab",
  "launchctl",
  "schtasks",
  "net",
  "reg",
  "plutil",
  "claude",
];

/**
 * What the running ccgate is: a compiled binary (copied by install) or
 * `client/cli/main.ts` under `deno run` (install writes a launcher that runs
 * it with the workspace's config and the CLI's permissions, with the `deno`
 * on `PATH` when it is the running one: see `installDenoPath`).
 *
 * @param env Reads an environment variable (`PATH`).
 */
export async function selfProgram(
  env: (name: string) => string | undefined,
): Promise<SelfProgram> {
  if (Deno.build.standalone) {
    const path = Deno.execPath();
    return { kind: "binary", path, bytes: await Deno.readFile(path) };
  }
  const main = new URL(Deno.mainModule);
  const permissions = [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    `--allow-run=${ALLOW_RUN.join(",")}`,
  ];
  // A checkout (`deno task cli`): its workspace config holds the import map. Else (jsr:, https:) the module as is.
  const local = main.protocol === "file:";
  const module = local ? fromFileUrl(main) : main.href;
  const config = local ? ["--config", fromFileUrl(new URL("../../deno.json", main))] : [];
  return {
    kind: "launcher",
    launcher: {
      deno: await installDenoPath(Deno.execPath(), {
        path: env("PATH"),
        os: Deno.build.os,
        realPath: (path) => Deno.realPath(path),
      }),
      args: ["run", "--quiet", ...config, ...permissions, module],
    },
  };
}

/** A file URL's path (Windows drive letters and separators included). */
function fromFileUrl(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows"
    ? path.replace(/^\/([A-Za-z]:)/, "$1").replace(/\//g, "\\")
    : path;
}

/** The session as `status` sees it, for `doctor`. */
export async function sessionFacts(deps: CliDeps): Promise<SessionFacts> {
  const stored = await (await openSession(deps))?.load();
  if (stored === undefined) return { signedIn: false };
  return {
    signedIn: true,
    expiresAt: new Date(stored.expiresAt),
    refreshable: stored.refreshToken !== undefined,
    accessToken: stored.accessToken,
  };
}
