// The import rules of the house (docs/architecture.md). `npm run lint` runs this over src/ and
// emulator/src/: a cycle or an import from a lower layer to a higher one fails the build, type-only
// imports included (tsPreCompilationDeps). Layers, top to bottom; a module imports only its own
// layer or the ones below it.

/** The Worker's layers: entry -> http -> domain -> zoom -> storage -> platform. */
const product = [
  { name: "entry", path: "^src/(index|queue|maintenance)\\.ts$" },
  { name: "http", path: "^src/(app\\.ts|routes/|http/|console/|auth/)" },
  {
    name: "domain",
    path: "^src/(teachers|classes|links|linking|archive|usage|zoom-events)/|^src/events/(?!(catalogue|emit|outbox)\\.ts$)",
  },
  { name: "zoom", path: "^src/zoom/" },
  // The event outbox (catalogue, emit, outbox) writes an event in the same D1 batch as the change it
  // reports, so any layer that changes state (the ZoomAccount object included) may call it.
  { name: "storage", path: ["^src/(db|tokens)/", "^src/events/(catalogue|emit|outbox)\\.ts$"] },
  { name: "platform", path: "^src/platform/" },
];

/** The emulator's layers: entry -> object -> surfaces -> behaviours -> store -> basics. */
const emulator = [
  { name: "emulator entry", path: "^emulator/src/(index|files|receiver)\\.ts$" },
  { name: "emulator object", path: "^emulator/src/state\\.ts$" },
  { name: "emulator surfaces", path: "^emulator/src/(oauth\\.ts|control(-config)?\\.ts|rest/)" },
  {
    name: "emulator behaviours",
    path: "^emulator/src/(core|seed|scopes|tokens|webhooks|simulate|downloads|faults|ratelimit|pagination|recordings|schedule)\\.ts$",
  },
  { name: "emulator store", path: "^emulator/src/db(\\.ts$|/)" },
  { name: "emulator basics", path: "^emulator/src/(http|ids|pkce|env|pages|receiver-types)\\.ts$" },
];

/** One rule per layer: nothing in it imports a layer above it. */
function upward(layers) {
  return layers.slice(1).map((layer, i) => ({
    name: `no-upward-from-${layer.name.replace(/ /g, "-")}`,
    comment: `${layer.name} must not import ${layers
      .slice(0, i + 1)
      .map((l) => l.name)
      .join(", ")}`,
    severity: "error",
    from: { path: layer.path },
    to: { path: layers.slice(0, i + 1).flatMap((l) => l.path) },
  }));
}

/** Every module of src/ and emulator/src/ must sit in a layer, so a new folder is placed on purpose. */
function placed(root, layers) {
  return {
    name: `in-a-layer-${root.replace(/\W/g, "-")}`,
    comment: `every module of ${root} belongs to a layer named in .dependency-cruiser.cjs`,
    severity: "error",
    from: { path: `^${root}`, pathNot: [...layers.flatMap((l) => l.path), "\\.d\\.ts$"] },
    to: {},
  };
}

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "modules import each other in one direction only",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward(product),
    ...upward(emulator),
    placed("src/", product),
    placed("emulator/src/", emulator),
    {
      name: "emulator-apart",
      comment: "the emulator shares no code with the product, so it cannot agree with its bugs",
      severity: "error",
      from: { path: "^emulator/" },
      to: { path: "^src/" },
    },
    {
      name: "product-apart",
      comment: "the product reaches the emulator over HTTP only",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^emulator/" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      // The runtime's own modules (cloudflare:workers) have no file to resolve.
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // Tests sit beside the code they check and may reach anywhere; the rules are about the code itself.
    exclude: { path: ["\\.test\\.tsx?$", "node_modules"] },
    enhancedResolveOptions: {
      extensions: [".ts", ".tsx", ".js", ".d.ts"],
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "workerd", "worker", "default"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
