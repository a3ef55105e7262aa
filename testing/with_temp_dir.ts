/**
 * Runs `fn` with a new temporary directory, removed afterwards (whether `fn`
 * passed or threw).
 *
 * @param fn The test body.
 *
 * @example
 * ```ts ignore
 * await withTempDir(async (dir) => await Deno.writeTextFile(`${dir}/a`, "x"));
 * ```
 */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
