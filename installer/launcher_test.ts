import { assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { InstallerError } from "./errors.ts";
import { quoteProgram, readLauncher, renderLauncher } from "./launcher.ts";

Deno.test("renderLauncher() on Windows doubles % in the .cmd file, quotes spaces, and falls back to the deno on PATH", () => {
  assertEquals(
    renderLauncher("windows", {
      deno: "C:\\Users\\a%b\\deno.exe",
      args: ["run", "-A", "C:\\Users\\a%b\\my ccgate\\main.ts"],
    }),
    [
      "@echo off",
      'if not exist "C:\\Users\\a%%b\\deno.exe" goto nodeno',
      'C:\\Users\\a%%b\\deno.exe run -A "C:\\Users\\a%%b\\my ccgate\\main.ts" %*',
      "exit /b",
      ":nodeno",
      "echo ccgate: the deno `ccgate install` recorded is gone, so the deno on PATH runs ccgate; run `ccgate install` again to record it 1>&2",
      'deno run -A "C:\\Users\\a%%b\\my ccgate\\main.ts" %*',
      "",
    ].join("\r\n"),
  );
});

Deno.test("renderLauncher() on POSIX quotes for sh and keeps % as is", () => {
  const text = renderLauncher("linux", {
    deno: "/home/a%b/deno",
    args: ["run", "/home/a b/main.ts"],
  });
  assertStringIncludes(text, "\ndeno=/home/a%b/deno\n");
  assertStringIncludes(text, `\nexec "$deno" run '/home/a b/main.ts' "$@"\n`);
  assertEquals(quoteProgram("linux", "/home/a b/ccgate"), "'/home/a b/ccgate'");
});

Deno.test("renderLauncher() on Windows refuses a line break in a path", () => {
  const err = assertThrows(
    () => renderLauncher("windows", { deno: "C:\\a\nb\\deno.exe", args: [] }),
    InstallerError,
  );
  assertEquals(err.code, "usage");
  assertStringIncludes(err.message, "contains a line break");
});

/** Runs a POSIX launcher of `deno eval` with `PATH`; its exit code and output. */
async function runLauncher(dir: string, deno: string, path: string) {
  const script = `${dir}/ccgate`;
  const code = "console.log('ran with', Deno.args.join(' '))";
  await Deno.writeTextFile(script, renderLauncher("linux", { deno, args: ["eval", code] }));
  await Deno.chmod(script, 0o755);
  const out = await new Deno.Command("/bin/sh", {
    args: [script, "token"],
    env: { PATH: path },
    clearEnv: true,
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test({
  name:
    "renderLauncher() on POSIX: the recorded deno runs; once it is gone the deno on PATH, saying so; with none, one line and exit 127",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/bin`);
      await Deno.symlink(Deno.execPath(), `${dir}/bin/deno`);
      const ran = { code: 0, stdout: "ran with token\n" };
      assertEquals(await runLauncher(dir, `${dir}/bin/deno`, "/nonexistent"), {
        ...ran,
        stderr: "",
      });

      const gone = `${dir}/npx-cache/deno`;
      const fallback = await runLauncher(dir, gone, `/nonexistent:${dir}/bin`);
      assertEquals({ code: fallback.code, stdout: fallback.stdout }, ran);
      assertEquals(
        fallback.stderr,
        `ccgate: ${gone} is gone, so the deno on PATH runs ccgate; run \`ccgate install\` again to record it\n`,
      );

      const none = await runLauncher(dir, gone, "/nonexistent");
      assertEquals(none, {
        code: 127,
        stdout: "",
        stderr:
          `ccgate: cannot start: ${gone} is gone and there is no deno on PATH; install Deno, then run \`ccgate install\` again\n`,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("readLauncher() reads the deno and main module of a launcher, of this ccgate and of an earlier one", () => {
  const launcher = { deno: "/opt/it's/deno", args: ["run", "-A", "/src/my ccgate/main.ts"] };
  assertEquals(readLauncher(renderLauncher("linux", launcher)), {
    deno: "/opt/it's/deno",
    main: "/src/my ccgate/main.ts",
  });
  const earlier = "#!/bin/sh\n# ccgate launcher written by `ccgate install`\n" +
    `exec /usr/bin/deno run -A '/src/my ccgate/main.ts' "$@"\n`;
  assertEquals(readLauncher(earlier), { deno: "/usr/bin/deno", main: "/src/my ccgate/main.ts" });
  assertEquals(readLauncher("#!/bin/sh\necho hi\n"), undefined);
});
