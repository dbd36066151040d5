// `npm start`: the app on PORT (8787) and the Zoom emulator on ZOOM_EMULATOR_PORT (8788) under
// wrangler dev, with local D1/R2/DO/Queue state in .wrangler/, migrations applied and a demo tenant seeded.
import { subscribeDemoToReceiver } from "./demo-events.ts";
import { startLocalStack } from "./local-stack.ts";

console.log("Starting the app and the Zoom emulator (migrations are applied first)...");
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({ echo: true });
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
let receiverUrl = "(not subscribed: see the log above)";
try {
  receiverUrl = await subscribeDemoToReceiver(stack.appUrl, stack.zoomUrl);
} catch (err) {
  console.error(`Could not subscribe the demo tenant to events: ${(err as Error).message}`);
}
const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

console.log(`
wise-zoom-edge is running.
  API        ${stack.appUrl}   (health: /healthz, reference: ${stack.appUrl}/docs)
  Console    ${stack.appUrl}/console
  Zoom       ${stack.zoomUrl}   (emulator; control API under ${stack.zoomUrl}/__emulator)
  Events     ${receiverUrl}   (what the demo tenant's event subscription received, verified)

Next:
  npm run token -- --tenant demo --role admin      # a JWT for the demo tenant
  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo --role admin)" ${stack.appUrl}/v1/me
Ctrl-C stops both.`);
