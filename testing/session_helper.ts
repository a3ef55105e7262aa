/**
 * An `apiKeyHelper` for the real Claude Code over a working session: it
 * prints a token the test may replace, counts its runs, and can be made to
 * fail as `ccgate token` does once the session has ended.
 *
 * @module
 */

/** What {@linkcode sessionHelper} gives. */
export interface SessionHelper extends AsyncDisposable {
  /** The command, for the settings' `apiKeyHelper`. */
  command: string;
  /** Replaces the token it prints (synchronously: from an emulator script). */
  rotate(next: string): void;
  /** From now on it fails as `ccgate token` does for an ended session (exit 3, one line). */
  end(): void;
  /** How many times it ran. */
  runs(): Promise<number>;
}

/**
 * A helper that prints `token`, in a temporary folder removed on dispose.
 *
 * @param token The token it prints until {@linkcode SessionHelper.rotate} or
 *   {@linkcode SessionHelper.end}.
 * @returns The helper.
 *
 * @example
 * ```ts ignore
 * await using helper = await sessionHelper(stack.token);
 * claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command });
 * ```
 */
export async function sessionHelper(token: string): Promise<SessionHelper> {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-helper-" });
  await Deno.writeTextFile(`${dir}/token`, token);
  await Deno.writeTextFile(`${dir}/runs`, "");
  await Deno.writeTextFile(
    `${dir}/helper.sh`,
    [
      "#!/bin/sh",
      `echo run >> ${dir}/runs`,
      `if [ -f ${dir}/ended ]; then`,
      "  echo 'ccgate: Not signed in or session ended: run `ccgate login`' >&2",
      "  exit 3",
      "fi",
      `cat ${dir}/token`,
      "",
    ].join("\n"),
  );
  await Deno.chmod(`${dir}/helper.sh`, 0o755);
  return {
    command: `${dir}/helper.sh`,
    rotate: (next) => Deno.writeTextFileSync(`${dir}/token`, next),
    end: () => Deno.writeTextFileSync(`${dir}/ended`, ""),
    runs: async () => (await Deno.readTextFile(`${dir}/runs`)).split("\n").length - 1,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
