import { FakeTimers } from "../../testing/fake_timers.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../../testing/assert.ts";
import { PolicyFileError } from "../errors.ts";
import type { LogRecord } from "../log.ts";
import { PolicyFile } from "./policy_file.ts";

const policy = (rpm: unknown) =>
  `models:\n  m:\n    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0\n    price: { input: 1, output: 5 }\ndefaults:\n  requests_per_minute: ${rpm}\n`;
const subject = { sub: "u", roles: [], groups: [] };

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-policy-" });
  try {
    await Deno.writeTextFile(`${dir}/policy.yaml`, text);
    await fn(`${dir}/policy.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Opens the policy file with fake timers, collecting what it logs. */
async function openLogged(path: string, regions?: string[]) {
  const logs: LogRecord[] = [];
  const file = await PolicyFile.open({
    path,
    timers: new FakeTimers(),
    log: (r) => logs.push(r),
    regions,
  });
  return { file, logs };
}

Deno.test("PolicyFile.open() fails naming the file and the bad key", async () => {
  await withFile(policy('"many"'), async (path) => {
    const err = await assertRejects(
      () => PolicyFile.open({ path, timers: new FakeTimers(), log: () => {} }),
      PolicyFileError,
    );
    assertEquals(
      err.message,
      "policy.yaml: defaults.requests_per_minute: Expected number, received string",
    );
  });
});

Deno.test("PolicyFile.open() fails on an unreadable file naming CCGATE_POLICY, the path as given and why", async () => {
  await withFile(policy(10), async (path) => {
    const dir = path.slice(0, path.lastIndexOf("/"));
    const cases: [string, string][] = [
      [`${dir}/nope.yaml`, "no such file"],
      [dir, "it is a folder, not a file"],
      [`${path}/p.yaml`, "a part of the path is a file, not a folder"],
    ];
    for (const [given, why] of cases) {
      const err = await assertRejects(
        () => PolicyFile.open({ path: given, timers: new FakeTimers(), log: () => {} }),
        PolicyFileError,
      );
      assertEquals(err.message, `Invalid setting CCGATE_POLICY: cannot read "${given}": ${why}`);
    }
  });
  const relative = await assertRejects(
    () =>
      PolicyFile.open({
        path: "conf/policy.yaml",
        timers: new FakeTimers(),
        log: () => {},
        readTextFile: () =>
          Promise.reject(
            new Deno.errors.PermissionDenied(
              "Permission denied (os error 13): readfile 'conf/policy.yaml'",
            ),
          ),
      }),
    PolicyFileError,
  );
  assertEquals(
    relative.message,
    'Invalid setting CCGATE_POLICY: cannot read "conf/policy.yaml": permission denied',
  );
  const other = await assertRejects(
    () =>
      PolicyFile.open({
        path: "p.yaml",
        timers: new FakeTimers(),
        log: () => {},
        readTextFile: () =>
          Promise.reject(new Error("Input/output error (os error 5): readfile 'p.yaml'")),
      }),
    PolicyFileError,
  );
  assertEquals(
    other.message,
    'Invalid setting CCGATE_POLICY: cannot read "p.yaml": Input/output error',
  );
});

Deno.test("PolicyFile re-reads the file on the injected timer; a bad edit is logged and the previous policy kept", async () => {
  await withFile(policy(10), async (path) => {
    const timers = new FakeTimers();
    const logs: LogRecord[] = [];
    let logged: () => void = () => {};
    const file = await PolicyFile.open({
      path,
      timers,
      intervalMs: 1_000,
      log: (r) => {
        logs.push(r);
        logged();
      },
    });
    const reloaded: number[] = [];
    file.onReload((p) => reloaded.push(p.rulesFor(subject).rate[0]!.limit));
    file.start();
    assertEquals(file.current.rulesFor(subject).rate[0]!.limit, 10);

    await Deno.writeTextFile(path, policy(20));
    let next = new Promise<void>((resolve) => logged = resolve);
    timers.advance(1_000);
    await next;
    assertEquals(reloaded, [20]);
    assertEquals(file.current.rulesFor(subject).rate[0]!.limit, 20);
    assertEquals(logs.at(-1)?.msg, "policy reloaded");

    await Deno.writeTextFile(path, policy(-1));
    next = new Promise<void>((resolve) => logged = resolve);
    await timers.whenPending(1_000);
    timers.advance(1_000);
    await next;
    assertEquals(logs.at(-1)?.level, "error");
    assertStringIncludes(String(logs.at(-1)?.error), "policy.yaml: defaults.requests_per_minute:");
    assertEquals(file.current.rulesFor(subject).rate[0]!.limit, 20, "previous policy kept");

    // Unchanged content is not reloaded (and not logged).
    await timers.whenPending(1_000);
    const count = logs.length;
    assertEquals(await file.reload(), "unchanged");
    assertEquals(logs.length, count);
    file[Symbol.dispose]();
    assertEquals(timers.pending, 0);
  });
});

Deno.test("PolicyFile.reload() keeps the policy when the file disappears", async () => {
  await withFile(policy(10), async (path) => {
    const { file, logs } = await openLogged(path);
    await Deno.remove(path);
    assertEquals(await file.reload(), "rejected");
    assertEquals(logs[0]?.level, "error");
    assertEquals(logs[0]?.error, `Cannot read "${path}": no such file`);
    assertEquals(file.current.rulesFor(subject).rate[0]!.limit, 10);
  });
});

Deno.test("PolicyFile counts rejected reloads and says while the file on disk is rejected", async () => {
  await withFile(policy(10), async (path) => {
    const file = await PolicyFile.open({ path, timers: new FakeTimers(), log: () => {} });
    assertEquals([file.rejections, file.rejected], [0, false]);
    await Deno.writeTextFile(path, policy('"many"'));
    assertEquals(await file.reload(), "rejected");
    assertEquals(await file.reload(), "unchanged");
    assertEquals([file.rejections, file.rejected], [1, true], "one bad edit counts once");
    await Deno.remove(path);
    assertEquals(await file.reload(), "rejected");
    assertEquals([file.rejections, file.rejected], [2, true]);
    await Deno.writeTextFile(path, policy(20));
    assertEquals(await file.reload(), "reloaded");
    assertEquals([file.rejections, file.rejected], [2, false]);
    await Deno.remove(path);
    await file.reload();
    await Deno.writeTextFile(path, policy(20));
    assertEquals(await file.reload(), "unchanged");
    assertEquals([file.rejections, file.rejected], [3, false], "readable again, as in force");
  });
});

Deno.test("PolicyFile.problem says why the file on disk is rejected, while it is", async () => {
  await withFile(policy(10), async (path) => {
    const file = await PolicyFile.open({ path, timers: new FakeTimers(), log: () => {} });
    assertEquals(file.problem, undefined);
    const invalid = "policy.yaml: defaults.requests_per_minute: Expected number, received string";
    await Deno.writeTextFile(path, policy('"many"'));
    await file.reload();
    assertEquals(file.problem, invalid);
    await Deno.remove(path);
    await file.reload();
    assertEquals(file.problem, `Cannot read "${path}": no such file`);
    await Deno.writeTextFile(path, policy('"many"'));
    assertEquals(await file.reload(), "unchanged");
    assertEquals(file.problem, invalid, "readable again: the rejected text's problem");
    await Deno.writeTextFile(path, policy(20));
    await file.reload();
    assertEquals(file.problem, undefined);
  });
});

Deno.test("PolicyFile warns, when read and at each reload, of a profile Bedrock does not invoke from the deployment's regions", async () => {
  await withFile(policy(10), async (path) => {
    const { file, logs } = await openLogged(path, ["eu-west-1"]);
    assertEquals(logs.map((r) => r.level), ["warn"]);
    assertStringIncludes(
      String(logs[0]!.msg),
      "policy model m: us.anthropic.claude-haiku-4-5-20251001-v1:0 is a us. inference profile, which Bedrock does not invoke from eu-west-1",
    );
    await Deno.writeTextFile(path, policy(20));
    assertEquals(await file.reload(), "reloaded");
    assertEquals(logs.map((r) => r.level), ["warn", "info", "warn"]);
    // The same file in a US deployment says nothing.
    assertEquals((await openLogged(path, ["us-east-1", "us-west-2"])).logs, []);
  });
});
