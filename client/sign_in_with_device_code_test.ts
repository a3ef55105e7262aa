import { startEntraEmulator } from "@ccgate/emulators";
import { assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { fakeClock } from "./_testing/fake_clock.ts";
import { SignInError } from "./errors.ts";
import { type DeviceCodePrompt, signInWithDeviceCode } from "./sign_in_with_device_code.ts";

async function emulator(options: { deviceCodeLifetimeSeconds?: number } = {}) {
  const clock = fakeClock();
  const entra = await startEntraEmulator({
    autoApprove: false,
    pollIntervalSeconds: 5,
    now: clock.now,
    log: () => {},
    ...options,
  });
  const config = { authority: entra.issuer, clientId: entra.cliClientId, scope: entra.scope };
  return { entra, clock, config };
}

Deno.test("signInWithDeviceCode() polls at Entra's interval until the user approves", async () => {
  const { entra, clock, config } = await emulator();
  await using _ = entra;
  let prompt: DeviceCodePrompt | undefined;
  const sleeps: number[] = [];
  const token = await signInWithDeviceCode(config, {
    onPrompt: (p) => {
      prompt = p;
    },
    deps: {
      now: clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
        if (sleeps.length === 3) entra.approve(prompt!.userCode);
        return Promise.resolve();
      },
    },
  });
  assertEquals(sleeps, [5000, 5000, 5000]);
  assertStringIncludes(prompt!.verificationUri, "/devicelogin");
  assertEquals(prompt!.expiresAt, new Date(clock.now().getTime() - 15_000 + 900_000));
  const claims = JSON.parse(
    atob(token.accessToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
  );
  assertEquals(claims.aud, entra.apiClientId);
  assertEquals(claims.azp, entra.cliClientId);
});

Deno.test("signInWithDeviceCode() waits five seconds longer after slow_down", async () => {
  const { entra, clock, config } = await emulator();
  await using _ = entra;
  let code = "";
  const sleeps: number[] = [];
  await signInWithDeviceCode(config, {
    onPrompt: (p) => {
      code = p.userCode;
    },
    deps: {
      now: clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        // The first wait is cut short (a machine waking from sleep, a skewed timer): too fast.
        clock.advance(sleeps.length === 1 ? 1000 : ms);
        if (sleeps.length === 2) entra.approve(code);
        return Promise.resolve();
      },
    },
  });
  assertEquals(sleeps, [5000, 10_000]);
});

Deno.test("signInWithDeviceCode() reports a declined sign-in", async () => {
  const { entra, clock, config } = await emulator();
  await using _ = entra;
  let code = "";
  const err = await assertRejects(
    () =>
      signInWithDeviceCode(config, {
        onPrompt: (p) => {
          code = p.userCode;
        },
        deps: {
          now: clock.now,
          sleep: (ms) => {
            clock.advance(ms);
            entra.decline(code);
            return Promise.resolve();
          },
        },
      }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_declined");
});

Deno.test("signInWithDeviceCode() stops when the code expires", async () => {
  const { entra, clock, config } = await emulator({ deviceCodeLifetimeSeconds: 12 });
  await using _ = entra;
  let polls = 0;
  const err = await assertRejects(
    () =>
      signInWithDeviceCode(config, {
        onPrompt: () => {},
        onPoll: () => polls++,
        deps: {
          now: clock.now,
          sleep: (ms) => {
            clock.advance(ms);
            return Promise.resolve();
          },
        },
      }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_expired");
  assertEquals(polls, 2);
});

Deno.test("signInWithDeviceCode() reports an unknown client as sign_in_failed", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  const err = await assertRejects(
    () => signInWithDeviceCode({ ...config, clientId: "not-registered" }, { onPrompt: () => {} }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_failed");
});
