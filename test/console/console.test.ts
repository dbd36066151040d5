// The admin console is served only when enabled; demo tokens exist only outside production.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/app.ts";
import { fetchAndSettle } from "../helpers/zoom.ts";

describe("/console", () => {
  it("serves the page, its script and stylesheet", async () => {
    const page = await call("/console");
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const label of ["Admin token", "Zoom account", "Teachers", "Classes", "Recordings"])
      expect(html).toContain(label);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toMatch(/<script src="\/console\/console.js" defer/);
    const js = await call("/console/console.js");
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).not.toContain("innerHTML");
    expect((await call("/console/console.css")).status).toBe(200);
  });

  it("is a 404 when not enabled", async () => {
    const res = await fetchAndSettle(new Request("https://edge.test/console"), { CONSOLE_ENABLED: "false" });
    expect(res.status).toBe(404);
    const js = await fetchAndSettle(new Request("https://edge.test/console/console.js"), {
      CONSOLE_ENABLED: "false",
    });
    expect(js.status).toBe(404);
  });

  it("hands out a demo admin token outside production only", async () => {
    const res = await call("/console/demo-token", { method: "POST" });
    const { token } = (await res.json()) as { token: string };
    const me = await call("/v1/me", { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ userId: "demo-admin", tenantId: "demo", role: "admin" });

    const prod = await fetchAndSettle(
      new Request("https://edge.test/console/demo-token", { method: "POST" }),
      {
        ENVIRONMENT: "production",
      },
    );
    expect(prod.status).toBe(404);
    expect(env.ENVIRONMENT).toBe("test");
  });
});
