// Smoke check that the test harness reaches the product Worker and, for outbound fetches, the emulator.

import { expect, it } from "vitest";

it("emulator via outbound", async () => {
  const r = await fetch("https://api.zoom.us/v2/users/me");
  expect(r.status).toBe(401);
  expect(await r.json()).toEqual({ code: 124, message: "Invalid access token." });
});
