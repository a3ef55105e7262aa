/**
 * `deno task compile [--target T ...]`: builds the `ccgate` CLI with
 * `deno compile` into `dist/ccgate-<target>[.exe]`, for every release target
 * or the ones named. `deno compile` downloads the Deno runtime for each
 * target; where that download is unreachable this fails with one clear line.
 *
 * @module
 */

/** The targets the release workflow builds. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The permissions the compiled CLI runs with: the same as `deno task cli`. */
export const CLI_PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-run=security,secret-tool,powershell.exe,az,az.cmd,xdg-open,open,rundll32,systemctl,crontab,launchctl,schtasks,net,reg,plutil,claude",
];

/** Where the binary for `target` is written. */
export function outputPath(target: string, outDir = "dist"): string {
  return `${outDir}/ccgate-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** The `deno compile` arguments for one target. */
export function compileArgs(target: string, outDir = "dist"): string[] {
  return [
    "compile",
    "--quiet",
    ...CLI_PERMISSIONS,
    "--target",
    target,
    "--output",
    outputPath(target, outDir),
    "client/cli/main.ts",
  ];
}

if (import.meta.main) {
  const targets: string[] = [];
  let outDir = "dist";
  for (let i = 0; i < Deno.args.length; i++) {
    if (Deno.args[i] === "--target" && Deno.args[i + 1]) targets.push(Deno.args[++i]!);
    else if (Deno.args[i] === "--out" && Deno.args[i + 1]) outDir = Deno.args[++i]!;
    else {
      console.error(
        `compile: unknown argument ${
          JSON.stringify(Deno.args[i])
        } (use --target <target> --out <dir>)`,
      );
      Deno.exit(2);
    }
  }
  for (const target of targets.length > 0 ? targets : TARGETS) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      console.error(
        `compile: unknown target ${JSON.stringify(target)}; one of ${TARGETS.join(", ")}`,
      );
      Deno.exit(2);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, outDir),
      cwd: new URL("..", import.meta.url),
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const detail = new TextDecoder().decode(out.stderr);
      if (/dl\.deno\.land|error sending request|dns error|Connect/i.test(detail)) {
        console.error(
          `compile: cannot build ${target}: deno compile must download the Deno runtime for it and the download host is unreachable from this machine (the release workflow builds the binaries)`,
        );
      } else {
        console.error(`compile: deno compile failed for ${target}:\n${detail.trim()}`);
      }
      Deno.exit(1);
    }
    console.error(`compile: built ${outputPath(target, outDir)}`);
  }
}
