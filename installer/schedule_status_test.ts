import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { rootedSys } from "./_testing/rooted_sys.ts";
import { parseCrontabList } from "./schedule_status.ts";
import {
  checksSignedOut,
  fakeDeno,
  installForDoctor,
  NOW,
  SYSTEMD_OK,
} from "./_testing/doctor_fixture.ts";

Deno.test("runDoctor() fails commented-out crontab lines", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    let crontab = "";
    const sys = rootedSys({
      root,
      now: NOW,
      answer: (command, args, stdin) => {
        if (command !== "crontab") return "missing";
        if (args[0] === "-l") return { stdout: crontab };
        crontab = stdin ?? "";
        return {};
      },
    });
    await installForDoctor(sys);
    const schedule = async () => (await checksSignedOut(sys)).schedule!;
    assertEquals((await schedule()).status, "pass");
    crontab = crontab.replace(/^/gm, "#");
    const check = await schedule();
    assertEquals(check.status, "fail");
    assertEquals(check.message, "cron: crontab lines commented out");
    assertStringIncludes(check.fix!, "crontab -e");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseCrontabList() counts only active lines, and not @reboot alone", () => {
  const every = "*/10 * * * * /home/dev/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh";
  const boot = "@reboot /home/dev/.local/bin/ccgate refresh >/dev/null 2>&1 # ccgate-refresh";
  assertEquals(parseCrontabList(`MAILTO=x\n${every}\n${boot}\n`).present, true);
  assertEquals(parseCrontabList(`# ${every}\n#${boot}\n`).present, false);
  assertEquals(parseCrontabList(`  #${every}\n${boot}\n`).present, false);
  assertEquals(parseCrontabList("").detail, "crontab lines missing");
});

Deno.test("runDoctor() says what systemctl --user said when it cannot reach the user manager, with a fix that is not install again", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/home/dev`, { recursive: true });
    await fakeDeno(root);
    let reachable = true;
    const sys = rootedSys({
      root,
      now: NOW,
      answer: (command, args) => {
        if (command !== "systemctl") return "missing";
        if (!reachable) {
          return { code: 1, stderr: "Failed to connect to bus: No medium found\n" };
        }
        if (args[1] === "is-system-running") return { stdout: "running\n" };
        if (args[1] === "show") return { stdout: SYSTEMD_OK };
        return {};
      },
    });
    await installForDoctor(sys);
    reachable = false;
    const check = (await checksSignedOut(sys)).schedule!;
    assertEquals(check.status, "fail");
    assertEquals(
      check.message,
      "systemd: `systemctl --user` failed: Failed to connect to bus: No medium found",
    );
    assertStringIncludes(check.fix!, "XDG_RUNTIME_DIR=/run/user/$(id -u)");
    assertEquals(check.fix!.includes("ccgate install"), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
