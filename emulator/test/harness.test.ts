import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
it("app", async () => {
  const r = await exports.default.fetch("http://x/hello");
  expect(await r.text()).toBe("app /hello");
});
it("emulator via outbound", async () => {
  const r = await fetch("https://api.zoom.us/v2/users/me");
  expect(await r.text()).toBe("emulator /v2/users/me pong");
});
