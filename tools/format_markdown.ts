/**
 * Lays Markdown out the way `deno fmt` does with the repository's settings
 * (line width, prose wrap), so generated documents pass `deno fmt --check`.
 *
 * @module
 */

const root = new URL("../", import.meta.url);

/**
 * Formats Markdown with `deno fmt` (a child process of the running Deno).
 *
 * @param markdown The document.
 * @returns The formatted document.
 * @throws {Error} When `deno fmt` fails.
 */
export async function formatMarkdown(markdown: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`Cannot format Markdown: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}
