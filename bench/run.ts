// `npm run bench`: starts the product and the Zoom emulator in Miniflare and runs each benchmark,
// printing ratios against baselines measured in the same run.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startStack } from "./harness.ts";
import { refreshStorm } from "./refresh.ts";

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const here = fileURLToPath(new URL(".", import.meta.url));

const out: string[] = [];
if (want("refresh")) {
  const stack = await startStack();
  try {
    out.push(...(await refreshStorm(stack)));
  } finally {
    await stack.close();
  }
}
for (const name of ["join", "join-profile", "archive", "events"]) {
  // `join` prints the profile too; on its own it runs only when asked for by name.
  if (name === "join-profile" ? !only.includes(name) : !want(name)) continue;
  if (!existsSync(`${here}${name}.ts`)) continue;
  const mod = (await import(`./${name}.ts`)) as { run?: () => Promise<string[]> };
  if (mod.run) out.push("", ...(await mod.run()));
}
console.log(out.join("\n"));
