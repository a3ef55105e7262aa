import { assert, assertEquals } from "../testing/assert.ts";
import { gatewayTiming } from "./loadgen/read_stream.ts";
import { ownWork, ownWorkNote } from "./own_work.ts";

Deno.test("gatewayTiming() reads the gateway entry of a Server-Timing header", () => {
  assertEquals(
    gatewayTiming(
      'total;dur=4.2;desc="ccgate", gateway;dur=1.3;desc="before Bedrock",bedrock;dur=2.5',
    ),
    1.3,
  );
  assertEquals(gatewayTiming('gateway;desc="x";dur=0.7'), 0.7);
  assert(Number.isNaN(gatewayTiming(null)));
  assert(Number.isNaN(gatewayTiming("total;dur=3, subgateway;dur=9")));
});

Deno.test("ownWork() and ownWorkNote() summarise the rounds, or say there was nothing", () => {
  const round = ownWork([1, 2, 3, 4, 100]);
  assertEquals(round.ownMedian, 3);
  assert(ownWorkNote([round]).startsWith("gateway's own work before Bedrock"));
  assertEquals(ownWorkNote([ownWork([])]), "no Server-Timing from the gateway");
});
