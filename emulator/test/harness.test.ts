// Smoke check that the test harness reaches the product Worker and, for outbound fetches, the emulator.
import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("app", async () => {
  const r = await exports.default.fetch("http://x/hello");
  expect(await r.text()).toBe("app /hello");
});

it("emulator via outbound", async () => {
  const r = await fetch("https://api.zoom.us/v2/users/me");
  expect(r.status).toBe(401);
  expect(await r.json()).toEqual({ code: 124, message: "Invalid access token." });
});
