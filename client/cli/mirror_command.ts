import process from "node:process";
import { progress } from "@clack/prompts";
import {
  CLAUDE_CODE_PLATFORMS,
  mirrorClaudeCode,
  type MirrorProgress,
  OFFICIAL_RELEASE_BASE_URL,
} from "@ccgate/installer";
import type { CliDeps } from "./cli_deps.ts";
import { EXIT, UsageError } from "./exit_codes.ts";
import { gatewayUrl } from "./gateway_url.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate mirror`. */
export interface MirrorCommandOptions {
  out: string;
  version?: string;
  platform?: string[];
  baseUrl?: string;
}

/**
 * `ccgate mirror`: downloads Claude Code release binaries (verified against
 * the release manifest, resumable) into `--out`, laid out like the release
 * bucket so a ccgate server can serve it at `/install/`. A progress bar on a
 * terminal; quiet otherwise.
 */
export async function mirrorCommand(
  options: MirrorCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const known: readonly string[] = CLAUDE_CODE_PLATFORMS;
  const unknown = options.platform?.find((p) => !known.includes(p));
  if (unknown !== undefined) {
    throw new UsageError(`Invalid --platform "${unknown}": one of ${known.join(", ")}`);
  }
  const baseUrl = options.baseUrl === undefined
    ? OFFICIAL_RELEASE_BASE_URL
    : gatewayUrl(options.baseUrl, "Invalid --base-url");
  let bar: ReturnType<typeof progress> | undefined;
  let last = 0;
  const onProgress = (p: MirrorProgress) => {
    if (!deps.isTerminal) return;
    if (p.phase === "start") {
      bar = progress({ max: p.total ?? 1, output: process.stderr });
      bar.start(`Downloading ${p.platform}`);
      last = 0;
    } else if (p.phase === "data" && bar) {
      bar.advance(p.received - last, `Downloading ${p.platform}`);
      last = p.received;
    } else if (p.phase === "verified" && bar) {
      bar.stop(`${p.platform} verified`);
      bar = undefined;
    }
  };
  try {
    const result = await mirrorClaudeCode({
      out: options.out,
      baseUrl,
      version: options.version,
      platforms: options.platform,
      fetch: deps.fetch,
      onProgress,
    });
    for (const f of result.files) {
      deps.stdout(
        `${f.path} ${f.downloaded ? "downloaded and verified" : "already mirrored, verified"}\n`,
      );
    }
    deps.stderr(`${style.green("Mirrored")} Claude Code ${result.version} into ${options.out}\n`);
    return EXIT.ok;
  } finally {
    bar?.stop("stopped");
  }
}
