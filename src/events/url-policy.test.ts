import { describe, expect, it } from "vitest";
import { checkEndpointUrl, isPrivateHost, parseOrigin } from "./url-policy.ts";

const prod = { production: true, allowedOrigins: ["https://hooks.wise.example"] };

describe("event endpoint URLs", () => {
  it("accepts an https URL on an allowed origin", () => {
    expect(checkEndpointUrl("https://hooks.wise.example/zoom-edge", prod)).toEqual({
      ok: true,
      url: "https://hooks.wise.example/zoom-edge",
    });
  });

  it("refuses plain http in production, and off loopback elsewhere", () => {
    const open = ["http://hooks.wise.example", "http://localhost:8788"];
    expect(checkEndpointUrl("http://hooks.wise.example/x", { ...prod, allowedOrigins: open })).toMatchObject({
      ok: false,
      code: "url_not_https",
    });
    expect(
      checkEndpointUrl("http://localhost:8788/hooks/demo", { ...prod, allowedOrigins: open }),
    ).toMatchObject({ ok: false, code: "url_not_https" });
    const dev = { production: false, allowedOrigins: open };
    expect(checkEndpointUrl("http://localhost:8788/hooks/demo", dev).ok).toBe(true);
    expect(checkEndpointUrl("http://hooks.wise.example/x", dev)).toMatchObject({ code: "url_not_https" });
    expect(checkEndpointUrl("ftp://hooks.wise.example/x", dev)).toMatchObject({ code: "url_not_https" });
  });

  it("refuses loopback, private, link-local and internal hosts in production", () => {
    for (const host of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "[::1]",
      "[fd00::1]",
      "[fe80::1]",
      "[::ffff:7f00:1]",
      "localhost",
      "api.localhost",
      "metadata.internal",
      "intranet",
      "2130706433",
    ]) {
      const url = `https://${host}/hook`;
      const origin = new URL(url).origin;
      expect(checkEndpointUrl(url, { production: true, allowedOrigins: [origin] }), host).toMatchObject({
        ok: false,
        code: "url_private_address",
      });
    }
    expect(isPrivateHost("hooks.wise.example")).toBe(false);
    expect(isPrivateHost("8.8.8.8")).toBe(false);
  });

  it("refuses URLs over 2 KB, with credentials, with a fragment, or malformed", () => {
    const long = `https://hooks.wise.example/${"a".repeat(2049 - "https://hooks.wise.example/".length)}`;
    expect(checkEndpointUrl(long, prod)).toMatchObject({ code: "url_too_long" });
    expect(checkEndpointUrl(long.slice(0, 2048), prod).ok).toBe(true);
    expect(checkEndpointUrl("https://u:p@hooks.wise.example/x", prod)).toMatchObject({
      code: "url_credentials",
    });
    expect(checkEndpointUrl("https://hooks.wise.example/x#f", prod)).toMatchObject({ code: "url_malformed" });
    expect(checkEndpointUrl("not a url", prod)).toMatchObject({ code: "url_malformed" });
  });

  it("refuses origins the tenant did not configure", () => {
    expect(checkEndpointUrl("https://evil.example/x", prod)).toMatchObject({
      code: "url_origin_not_allowed",
    });
    expect(checkEndpointUrl("https://hooks.wise.example:8443/x", prod)).toMatchObject({
      code: "url_origin_not_allowed",
    });
  });

  it("reads origins exactly", () => {
    expect(parseOrigin("https://hooks.wise.example")).toBe("https://hooks.wise.example");
    expect(parseOrigin("https://hooks.wise.example/")).toBe("https://hooks.wise.example");
    expect(parseOrigin("https://hooks.wise.example/path")).toBeNull();
    expect(parseOrigin("javascript:alert(1)")).toBeNull();
  });
});
