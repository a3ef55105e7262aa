/**
 * Test helper: a clock shared by the code under test and the emulator, moved
 * only by the injected `sleep` (no real waiting, no timing dependence).
 *
 * @module
 */

/** A manual clock. */
export interface FakeClock {
  /** The current time. */
  now: () => Date;
  /** Moves the clock forward. */
  advance(ms: number): void;
}

/** Creates a {@linkcode FakeClock} starting at `start`. */
export function fakeClock(start = new Date("2026-11-24T12:00:00Z")): FakeClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}
