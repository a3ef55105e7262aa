import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { rootedSys } from "./_testing/rooted_sys.ts";
import { renderDoctorText } from "./doctor.ts";
import { checksSignedOut, fakeDeno, installForDoctor, NOW } from "./_testing/doctor_fixture.ts";

/** An executable file at `path` under `root`. */
async function executableAt(root: string, path: string, mode = 0o755) {
  await Deno.mkdir(`${root}${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
  await Deno.writeTextFile(`${root}${path}`, "#!/bin/sh\n");
  await Deno.chmod(`${root}${path}`, mode);
}

Deno.test("runDoctor() warns, not fails, when a launcher's recorded deno is gone and PATH has one, naming both; fails with neither", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    // PATH as the launcher's `command -v deno` reads it: a relative folder and a deno without
    // an execute bit are passed over, the first executable one runs.
    const path = "bin:/usr/local/bin:/opt/deno/bin/:/home/dev/.deno/bin";
    await executableAt(root, "/usr/local/bin/deno", 0o644);
    await executableAt(root, "/opt/deno/bin/deno");
    await executableAt(root, "/home/dev/.deno/bin/deno");
    const sys = rootedSys({ root, now: NOW, env: { PATH: path } });
    await installForDoctor(sys, { url: "http://127.0.0.1:1", noSchedule: true });
    assertEquals((await checksSignedOut(sys)).settings!.status, "pass");

    // The deno `ccgate install` recorded is gone (an npx cache cleared).
    await Deno.remove(`${root}/usr/bin/deno`);
    let check = (await checksSignedOut(sys)).settings!;
    assertEquals(check.status, "warn");
    assertEquals(
      check.message,
      "/home/dev/.claude/settings.json points Claude Code at http://127.0.0.1:1 through /home/dev/.local/bin/ccgate; /home/dev/.local/bin/ccgate starts deno /usr/bin/deno, which is missing, so it runs the deno on PATH, /opt/deno/bin/deno",
    );
    assertEquals(check.fix, "run `ccgate install --url http://127.0.0.1:1` again to record it");
    assertStringIncludes(
      renderDoctorText({ ok: true, checks: [check] }),
      "warn settings: /home/dev/.claude/settings.json points Claude Code at",
    );

    // No deno on PATH either: the launcher cannot start.
    await Deno.remove(`${root}/opt/deno/bin/deno`);
    await Deno.chmod(`${root}/home/dev/.deno/bin/deno`, 0o600);
    check = (await checksSignedOut(sys)).settings!;
    assertEquals(check.status, "fail");
    assertEquals(
      check.message,
      "/home/dev/.claude/settings.json: /home/dev/.local/bin/ccgate starts deno /usr/bin/deno, which is missing, and there is no deno on PATH",
    );
    assertEquals(
      check.fix,
      "install Deno, then run `ccgate install --url http://127.0.0.1:1` again",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() reads a launcher's recorded deno that is there but not executable as the launcher does", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    await executableAt(root, "/opt/deno/bin/deno");
    const sys = rootedSys({ root, now: NOW, env: { PATH: "/opt/deno/bin" } });
    await installForDoctor(sys, { noSchedule: true });
    await Deno.chmod(`${root}/usr/bin/deno`, 0o644);
    const check = (await checksSignedOut(sys)).settings!;
    assertEquals(check.status, "warn");
    assertStringIncludes(
      check.message,
      "starts deno /usr/bin/deno, which is not executable, so it runs the deno on PATH, /opt/deno/bin/deno",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runDoctor() says when the scheduled refresh's PATH has no deno for a launcher whose recorded deno is gone", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    await executableAt(root, "/home/dev/.deno/bin/deno");
    let managerPath = "/usr/local/bin:/usr/bin:/bin";
    let crontab = "";
    let systemd = true;
    const sys = rootedSys({
      root,
      now: NOW,
      env: { PATH: "/home/dev/.deno/bin:/usr/bin" },
      answer: (command, args) => {
        if (command === "systemctl" && !systemd) return "missing";
        if (command === "systemctl" && args[1] === "is-system-running") {
          return { stdout: "running\n" };
        }
        if (command === "systemctl" && args[1] === "show-environment") {
          return { stdout: `LANG=C.UTF-8\nPATH=${managerPath}\n` };
        }
        if (command === "systemctl") return {};
        if (command === "crontab" && args[0] === "-") return {};
        if (command === "crontab") return { stdout: crontab };
        return "missing";
      },
    });
    await installForDoctor(sys);
    await Deno.remove(`${root}/usr/bin/deno`);
    const warning = async () => {
      const check = (await checksSignedOut(sys)).settings!;
      assertEquals(check.status, "warn");
      return check.message.slice(check.message.indexOf("so it runs"));
    };
    const runsFromPath = "so it runs the deno on PATH, /home/dev/.deno/bin/deno";
    assertEquals(
      await warning(),
      `${runsFromPath}; the scheduled refresh, whose PATH is /usr/local/bin:/usr/bin:/bin, finds no deno there and fails`,
    );
    managerPath = "/home/dev/.deno/bin:/usr/bin:/bin";
    assertEquals(await warning(), runsFromPath, "the user manager's PATH has it");

    // No systemd user manager: cron, with its own PATH unless the crontab sets one.
    systemd = false;
    await Deno.writeTextFile(`${root}/usr/bin/deno`, "#!/bin/sh\n");
    await Deno.chmod(`${root}/usr/bin/deno`, 0o755);
    await installForDoctor(sys);
    await Deno.remove(`${root}/usr/bin/deno`);
    crontab = "MAILTO=dev\n*/10 * * * * /home/dev/.local/bin/ccgate refresh # ccgate-refresh\n";
    assertEquals(
      await warning(),
      `${runsFromPath}; the scheduled refresh, whose PATH is /usr/bin:/bin, finds no deno there and fails`,
    );
    crontab = `PATH="/home/dev/.deno/bin:/usr/bin:/bin"\n${crontab}`;
    assertEquals(await warning(), runsFromPath, "the crontab sets a PATH that has it");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
