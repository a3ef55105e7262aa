import { assertEquals } from "../../testing/assert.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

Deno.test("runCli() install refuses a --url Claude Code could not use with exit 2 and one line, writing nothing", async () => {
  const home = await Deno.makeTempDir();
  try {
    for (
      const [url, said] of [
        ["ftp://127.0.0.1:18180", "must start with https://"],
        ["http://127.0.0.1:18180/some/path?x=1#frag", "must have no query (?) or fragment (#)"],
        ["http://u:s3cret@127.0.0.1:18180", "must not carry a user name or password"],
      ]
    ) {
      const deps = capturedDeps({ HOME: home, XDG_CONFIG_HOME: `${home}/config` });
      const args = ["install", "--no-login", "--no-schedule", "--url", url!];
      assertEquals(await runCli(args, deps), 2, url);
      const err = deps.err.join("").trimEnd();
      assertEquals(err.split("\n").length, 1, err);
      assertEquals(err.includes(said!), true, err);
      assertEquals(err.includes("s3cret"), false, "the password is never echoed");
    }
    assertEquals(await Array.fromAsync(Deno.readDir(home)), [], "nothing written");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("runCli() names a mistyped command's nearest one, on one line like every ccgate error", async () => {
  const deps = capturedDeps({});
  assertEquals(await runCli(["tokn"], deps), 2);
  assertEquals(deps.err.join(""), "ccgate: unknown command 'tokn' (Did you mean token?)\n");
});

Deno.test("runCli() install --dry-run checks --claude-code-version and --mirror-url like a real run (exit 2)", async () => {
  const home = await Deno.makeTempDir();
  try {
    for (
      const [flags, said] of [
        [["--claude-code-version", "banana"], 'Invalid --claude-code-version "banana"'],
        [["--mirror-url", "notaurl"], 'Invalid --mirror-url: "notaurl" is not a URL'],
      ]
    ) {
      const deps = capturedDeps({ HOME: home, XDG_CONFIG_HOME: `${home}/config` });
      const args = [
        "install",
        "--dry-run",
        "--no-login",
        "--no-schedule",
        "--with-claude-code",
        "--url",
        "http://127.0.0.1:18180",
        ...flags as string[],
      ];
      assertEquals(await runCli(args, deps), 2, deps.err.join(""));
      assertEquals(deps.err.join("").startsWith(`ccgate: ${said}`), true, deps.err.join(""));
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("runCli() mirror refuses a platform Claude Code does not ship before downloading anything (exit 2)", async () => {
  const out = await Deno.makeTempDir();
  try {
    const deps = capturedDeps({});
    const args = [
      "mirror",
      "--out",
      out,
      "--platform",
      "bogus-os",
      "--base-url",
      "http://127.0.0.1:1",
    ];
    assertEquals(await runCli(args, deps), 2, deps.err.join(""));
    assertEquals(
      deps.err.join("").startsWith('ccgate: Invalid --platform "bogus-os": one of darwin-arm64'),
      true,
    );
    assertEquals(await Array.fromAsync(Deno.readDir(out)), []);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("runCli() login refuses a --timeout that is not a number of seconds, and a URL it cannot use, with exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [args, said] of [
        [["--browser", "--timeout", "abc"], 'Invalid --timeout "abc": seconds'],
        [["--browser", "--timeout", "0"], 'Invalid --timeout "0": seconds'],
        [
          ["--device-code", "--url", "ftp://127.0.0.1:1"],
          'Cannot sign in: "ftp://127.0.0.1:1/" must start',
        ],
        [
          ["--device-code", "--url", "http://u:s3cret@127.0.0.1:1"],
          "must not carry a user name or password",
        ],
      ]
    ) {
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, CCGATE_URL: "http://127.0.0.1:1" });
      assertEquals(await runCli(["login", ...args as string[]], deps), 2, deps.err.join(""));
      const err = deps.err.join("");
      assertEquals(err.includes(said as string) && !err.includes("s3cret"), true, err);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCli() mirror refuses a --base-url that is not an http(s) URL (exit 2)", async () => {
  const out = await Deno.makeTempDir();
  try {
    for (const url of ["not-a-url", "ftp://bucket.example/releases"]) {
      const deps = capturedDeps({});
      assertEquals(
        await runCli(["mirror", "--out", out, "--base-url", url], deps),
        2,
        deps.err.join(""),
      );
      assertEquals(deps.err.join("").startsWith("ccgate: Invalid --base-url"), true);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
