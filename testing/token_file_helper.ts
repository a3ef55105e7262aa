/**
 * An `apiKeyHelper` for the real Claude Code in tests: a command that prints
 * a fixed token, read from a file in a temporary folder that is removed on
 * dispose.
 *
 * @param token The token the command prints.
 * @returns The command, to dispose of with `await using`.
 *
 * @example
 * ```ts ignore
 * await using helper = await tokenFileHelper(stack.token);
 * claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command });
 * ```
 */
export async function tokenFileHelper(
  token: string,
): Promise<{ command: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-helper-" });
  await Deno.writeTextFile(`${dir}/token`, token);
  return {
    command: `cat ${dir}/token`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
