import { assert, assertEquals } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { CLI_ARGS } from "../_testing/cli.ts";
import { stdoutWriter } from "./stdout_writer.ts";

/**
 * Runs the CLI (as `deno task cli`) with its standard output a pipe whose
 * reader has already left: a shell holds the CLI back until the test has
 * closed the read end, so its first write meets a broken pipe, whatever the
 * timing.
 */
async function runWithReaderGone(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command("sh", {
    args: ["-c", 'read go && exec "$0" "$@"', Deno.execPath(), ...CLI_ARGS, ...args],
    cwd: new URL("../../", import.meta.url),
    env: { NO_COLOR: "1", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("go\n"));
  await writer.close();
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, stderr };
}

Deno.test({
  name: "ccgate token exits 0 without a word when the reader of its output has left",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using stack = await startAuthStack();
    await withTempDir(async (dir) => {
      await seedFileSession(stack, dir);
      const env = { CCGATE_CONFIG_DIR: dir };
      assertEquals(await runWithReaderGone(["token"], env), { code: 0, stderr: "" });
      // Commander's own output (help, version) goes the same way.
      assertEquals(await runWithReaderGone(["--help"], env), { code: 0, stderr: "" });
    });
  },
});

/** A standard output that takes `accept` bytes per write, then fails with `fail`. */
function stream(accept: number[], fail: Error) {
  const written: string[] = [];
  return {
    written,
    writeSync(bytes: Uint8Array): number {
      const n = accept.shift();
      if (n === undefined) throw fail;
      written.push(new TextDecoder().decode(bytes.subarray(0, n)));
      return n;
    },
  };
}

Deno.test("stdoutWriter() writes all of each text, and drops the rest once the pipe is broken", () => {
  const out = stream([2, 3], new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
  const write = stdoutWriter(out);
  write("hello");
  write("ignored: the reader has left");
  write("and this");
  assertEquals(out.written, ["he", "llo"]);
});

Deno.test("stdoutWriter() throws any error but a broken pipe", () => {
  for (
    const err of [
      new Deno.errors.PermissionDenied("denied"),
      new Deno.errors.BadResource("Bad resource ID"),
      new Error("disk full"),
    ]
  ) {
    const write = stdoutWriter(stream([], err));
    let caught: unknown;
    try {
      write("x");
    } catch (thrown) {
      caught = thrown;
    }
    assert(caught === err, `${err.name} is thrown as it is`);
  }
});
