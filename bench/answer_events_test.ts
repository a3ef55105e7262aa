import { assertEquals, assertThrows } from "../testing/assert.ts";
import { eventsToMessage } from "@ccgate/emulators";
import { answerEvents } from "./answer_events.ts";

Deno.test("answerEvents() returns exactly the asked number of events, one text message", () => {
  for (const frames of [6, 64, 400]) {
    const events = answerEvents(frames);
    assertEquals(events.length, frames);
    assertEquals(events[0]!.type, "message_start");
    assertEquals(events.at(-1)!.type, "message_stop");
    const message = eventsToMessage(events);
    assertEquals(message.content.length, 1);
    assertEquals(message.content[0]!.type, "text");
  }
});

Deno.test("answerEvents() refuses too few frames for a message", () => {
  assertThrows(() => answerEvents(5), RangeError);
  assertThrows(() => answerEvents(6.5), RangeError);
});
