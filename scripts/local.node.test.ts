// The local stack's ports: PORT and ZOOM_EMULATOR_PORT are checked before anything starts, every
// local URL follows them, and a port someone else holds stops the stack with a message.
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { localPorts, localVars } from "./local.ts";
import { startLocalStack } from "./local-stack.ts";

describe("localPorts", () => {
  it("defaults to 8787 and 8788 and takes PORT and ZOOM_EMULATOR_PORT", () => {
    expect(localPorts({})).toEqual({ app: 8787, emulator: 8788 });
    expect(localPorts({ PORT: "", ZOOM_EMULATOR_PORT: " " })).toEqual({ app: 8787, emulator: 8788 });
    expect(localPorts({ PORT: "9787", ZOOM_EMULATOR_PORT: "9788" })).toEqual({ app: 9787, emulator: 9788 });
  });

  it("refuses what is not a usable port, and the same port twice", () => {
    for (const PORT of ["abc", "87.5", "-1", "0x2000", "80", "65536", "9787; rm -rf /"]) {
      expect(() => localPorts({ PORT }), PORT).toThrow(/^PORT must be/);
    }
    expect(() => localPorts({ ZOOM_EMULATOR_PORT: "http://x" })).toThrow(/^ZOOM_EMULATOR_PORT must be/);
    expect(() => localPorts({ PORT: "9787", ZOOM_EMULATOR_PORT: "9787" })).toThrow(/must differ/);
  });
});

describe("localVars", () => {
  it("builds every URL from the ports", () => {
    const vars = localVars({ app: 9787, emulator: 9788 });
    expect(vars.PUBLIC_BASE_URL).toBe("http://localhost:9787");
    expect(vars.WISE_ORIGINS?.split(",")).toContain("http://localhost:9787");
    expect(vars.ZOOM_OAUTH_BASE_URL).toBe("http://localhost:9788");
    expect(vars.ZOOM_API_BASE_URL).toBe("http://localhost:9788/v2");
    expect(JSON.stringify(vars)).not.toMatch(/878[78]/);
  });
});

describe("startLocalStack", () => {
  let holder: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (holder ? holder.close(r) : r(undefined)));
    holder = undefined;
  });

  it("stops before starting anything when a port is taken", async () => {
    holder = createServer();
    const port = await new Promise<number>((resolve) =>
      holder?.listen(0, "127.0.0.1", () => {
        const address = holder?.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      }),
    );
    await expect(startLocalStack({ ports: { app: 9791, emulator: port } })).rejects.toThrow(
      `port ${port} (ZOOM_EMULATOR_PORT) is in use`,
    );
  });
});
