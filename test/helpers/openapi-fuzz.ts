// Property-based inputs for every operation of the served OpenAPI document: requests that violate
// an operation's schema (bodies, query strings, path ids), and requests that conform to it. A small
// structural JSON-Schema check (types, enums, required, additionalProperties, lengths, patterns,
// ranges, items) decides which is which; of the formats only date-time is checked, loosely (any RFC 3339
// date-time counts as conforming), so "invalid" never rests on a format's fine print.
import fc from "fast-check";

export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  $ref?: string;
  default?: unknown;
}

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema; required: boolean }[];
  body?: Schema;
  bodyRequired: boolean;
}

/** A request as the fuzzer sends it: a path with its query, a body text and its content type. */
export interface FuzzRequest {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  /** What was done to make it invalid, for the failure message. */
  why: string;
}

function deref(schema: Schema, doc: OpenApiDocument): Schema {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return deref(target, doc);
  }
  const out: Schema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, deref(v, doc)]),
    );
  }
  if (schema.items) out.items = deref(schema.items, doc);
  return out;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.["application/json"]?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params
          .filter((p) => p.in === "path")
          .map((p) => ({ name: p.name, schema: deref(p.schema, doc) })),
        queryParams: params
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, schema: deref(p.schema, doc), required: p.required === true })),
        ...(body ? { body: deref(body, doc) } : {}),
        bodyRequired: op.requestBody?.required === true,
      });
    }
  }
  return ops;
}

const regexCache = new Map<string, RegExp | null>();
function regexOf(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return regexCache.get(pattern) ?? null;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "non-finite";
    return Number.isInteger(value) ? "integer" : "number";
  }
  return typeof value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Whether `value` (parsed JSON) meets the schema's structural keywords. */
export function conforms(schema: Schema, value: unknown): boolean {
  if (schema.enum && !schema.enum.some((e) => e === value)) return false;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const t = typeOf(value);
    const ok = types.some((want) => want === t || (want === "number" && t === "integer"));
    if (!ok) return false;
  }
  if (typeof value === "string") {
    if (schema.format === "date-time" && !RFC3339.test(value)) return false;
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) return false;
    if (schema.maxLength !== undefined && length > schema.maxLength) return false;
    if (schema.pattern !== undefined) {
      const re = regexOf(schema.pattern);
      if (re && !re.test(value)) return false;
    }
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return false;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
    if (schema.items && !value.every((v) => conforms(schema.items as Schema, v))) return false;
  }
  if (typeOf(value) === "object" && (schema.properties || schema.required)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!Object.hasOwn(obj, key)) return false;
    for (const [key, v] of Object.entries(obj)) {
      const prop = schema.properties?.[key];
      if (prop) {
        if (!conforms(prop, v)) return false;
      } else if (schema.additionalProperties === false) return false;
    }
  }
  return true;
}

/** Whether a query or path value (text) meets its parameter schema. */
export function paramConforms(schema: Schema, raw: string): boolean {
  if (schema.type === "integer" || schema.type === "number") {
    if (!/^-?\d+$/.test(raw)) return false;
    const n = Number(raw);
    return Number.isSafeInteger(n) && conforms(schema, n);
  }
  return conforms(schema, raw);
}

// ---------------------------------------------------------------------------------------------
// Conforming values

const DAY = 86_400_000;

export function validValue(
  schema: Schema,
  known: Record<string, string[]> = {},
  name = "",
): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "object"];
  const arbs = types.map((t) => validOfType(t ?? "object", schema, known, name));
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
}

function validOfType(
  type: string,
  schema: Schema,
  known: Record<string, string[]>,
  name: string,
): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case "array": {
      const max = Math.min(schema.maxItems ?? 5, 5);
      return fc.array(validValue(schema.items ?? {}, known, name), {
        minLength: Math.min(schema.minItems ?? 0, max),
        maxLength: max,
      });
    }
    case "object": {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validValue(v, known, k)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return validString(schema, known, name);
  }
}

function validString(schema: Schema, known: Record<string, string[]>, name: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 64, 64);
  if (schema.format === "date-time") {
    // Mostly ahead (classes and links are for the future), sometimes behind.
    const now = Date.now();
    return fc.integer({ min: now - 30 * DAY, max: now + 60 * DAY }).map((ms) => new Date(ms).toISOString());
  }
  if (schema.format === "email") {
    return fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/), fc.constantFrom("school.example", "wise.test"))
      .map(([local, domain]) => `${local}@${domain}`);
  }
  const generated = schema.pattern
    ? (() => {
        const re = regexOf(schema.pattern);
        // Ids: a printable ASCII id of the pattern.
        return re ? fc.stringMatching(re).filter((s) => s.length >= min && s.length <= max) : undefined;
      })()
    : undefined;
  const base =
    generated ??
    fc
      .string({ unit: "grapheme-ascii", minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) })
      .filter((s) => conforms(schema, s));
  const ids = known[name];
  return ids?.length ? fc.oneof(fc.constantFrom(...ids), base) : base;
}

// ---------------------------------------------------------------------------------------------
// Violations

/** Look-alikes and tricks for text: homoglyphs, invisible and direction marks, NUL, width forms. */
const LOOKALIKES = [
  "\u0441lass-1", // Cyrillic es
  "\uff43\uff4c\uff41\uff53\uff53", // fullwidth
  "class\u200b1", // zero-width space
  "class\u202e1", // right-to-left override
  "class\u00001",
  "cla\u0301ss", // combining accent
  "\u{1d552}\u{1d55d}", // mathematical letters
  "a b",
  "a\tb",
  "a\nb",
  "\ud83c\udf93",
];
const DOT_SEGMENTS = [".", "..", "%2e", "%2e%2e", ".%2E", "a/..", "%2E%2E%2F"];
const JUNK_TEXT = [
  "",
  " ",
  "-1",
  "1.5",
  "0",
  "true",
  "null",
  "[]",
  "{}",
  "NaN",
  "Infinity",
  "0x10",
  "1e400",
  "9007199254740993",
  "18446744073709551616",
  "a/b",
  "a?b",
  "'; DROP TABLE classes; --",
  "<script>",
];

/** Short enough, and encodable in a URL (no lone surrogates). */
function withinUnits(s: string, limit = 20_000) {
  if (s.length > limit) return false;
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/** A parameter value the schema refuses, as raw text (before URL encoding). */
export function invalidParamValue(schema: Schema): fc.Arbitrary<string> {
  const over = (schema.maxLength ?? 128) + 1;
  const candidates = [
    ...JUNK_TEXT,
    ...LOOKALIKES,
    "a".repeat(over),
    "\u0430".repeat(over),
    "9".repeat(300),
    "x".repeat(5000),
    ...(schema.enum ? schema.enum.map((e) => `${String(e).toUpperCase()} `) : []),
    ...(schema.type === "integer"
      ? [String((schema.maximum ?? 0) + 1), String((schema.minimum ?? 0) - 1)]
      : []),
  ].filter((v) => !paramConforms(schema, v));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...candidates) },
    {
      weight: 1,
      // Short random text (wrong for ids, enums and numbers) or text just over the length limit.
      arbitrary: fc
        .oneof(
          fc.string({ unit: "binary", maxLength: 60 }),
          fc.string({ unit: "binary", minLength: over, maxLength: over + 60 }),
        )
        .filter((v) => withinUnits(v) && !paramConforms(schema, v)),
    },
  );
}

const RAW = (i: number) => `\u0001raw${i}\u0001`;
/** JSON texts that are hard on parsers and validators; each stands for a value of a wrong shape. */
const HOSTILE_JSON = [
  "[".repeat(10_000) + "]".repeat(10_000), // deep nesting
  `${`{"a":`.repeat(2_000)}1${"}".repeat(2_000)}`, // deep objects
  `[${new Array(100_000).fill("0").join(",")}]`, // 10^5 elements
  "9007199254740993", // beyond 2^53
  "-9007199254740993",
  "1e400",
  "1.0000000000000002",
];

type Path = (string | number)[];

/** Locations in a value where a mutation may go, with the schema that applies there. */
function locations(schema: Schema, value: unknown, at: Path = []): { at: Path; schema: Schema }[] {
  const out = [{ at, schema }];
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      out.push(...locations(schema.items as Schema, v, [...at, i]));
    });
  } else if (value && typeof value === "object" && schema.properties) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const prop = schema.properties[k];
      if (prop) out.push(...locations(prop, v, [...at, k]));
    }
  }
  return out;
}

function setAt(root: unknown, at: Path, replace: (old: unknown) => unknown): unknown {
  if (!at.length) return replace(root);
  const [head, ...rest] = at;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = setAt(copy[head as number], rest, replace);
    return copy;
  }
  const obj = { ...(root as Record<string, unknown>) };
  obj[head as string] = setAt(obj[head as string], rest, replace);
  return obj;
}

type Mutation =
  | { kind: "wrong-type"; value: unknown }
  | { kind: "hostile"; raw: number }
  | { kind: "drop-required"; pick: number }
  | { kind: "extra-field"; key: string; value: unknown }
  | { kind: "over-long"; unit: string }
  | { kind: "look-alike"; text: string }
  | { kind: "too-many"; copies: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("wrong-type" as const),
    value: fc.constantFrom<unknown>(null, 0, -1, 1.5, "x", "", true, [], {}, [1, "a"], { a: { b: [] } }),
  }),
  fc.record({ kind: fc.constant("hostile" as const), raw: fc.nat({ max: HOSTILE_JSON.length - 1 }) }),
  fc.record({ kind: fc.constant("drop-required" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("extra-field" as const),
    key: fc.oneof(
      fc.constantFrom("__proto__", "constructor", "tenantId", "role", "id ", "t\u0435acherId", ""),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
    ),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({
    kind: fc.constant("over-long" as const),
    unit: fc.constantFrom("a", "\u0430", "\u{1d552}", "\u00e9"),
  }),
  fc.record({
    kind: fc.constant("look-alike" as const),
    text: fc.constantFrom(...LOOKALIKES, ...DOT_SEGMENTS),
  }),
  fc.record({ kind: fc.constant("too-many" as const), copies: fc.constantFrom(1, 1_000, 100_000) }),
);

function applyMutation(
  body: unknown,
  loc: { at: Path; schema: Schema },
  m: Mutation,
): { value: unknown; raws: Map<string, string> } {
  const raws = new Map<string, string>();
  const value = setAt(body, loc.at, (old) => {
    switch (m.kind) {
      case "wrong-type":
        return m.value;
      case "hostile": {
        const marker = RAW(raws.size);
        raws.set(marker, HOSTILE_JSON[m.raw] ?? "0");
        return marker;
      }
      case "drop-required": {
        if (!old || typeof old !== "object" || Array.isArray(old)) return old;
        const required = loc.schema.required ?? [];
        const key = required[m.pick % Math.max(required.length, 1)];
        if (key === undefined) return old;
        const copy = { ...(old as Record<string, unknown>) };
        delete copy[key];
        return copy;
      }
      case "extra-field": {
        if (!old || typeof old !== "object" || Array.isArray(old)) return { [m.key]: m.value };
        const copy = { ...(old as Record<string, unknown>) };
        Object.defineProperty(copy, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return copy;
      }
      case "over-long":
        return m.unit.repeat((loc.schema.maxLength ?? 200) + 1);
      case "look-alike":
        return typeof old === "string" ? `${old}${m.text}` : m.text;
      case "too-many":
        return new Array(m.copies + (loc.schema.maxItems ?? 0)).fill(
          Array.isArray(old) ? (old[0] ?? 0) : old,
        );
    }
  });
  return { value, raws };
}

function serialize(value: unknown, raws: Map<string, string>): string {
  let text = JSON.stringify(value);
  for (const [marker, raw] of raws) text = text.replace(JSON.stringify(marker), raw);
  return text;
}

/** Parses a serialized body back for the conformance check (raw markers stand for wrong shapes). */
function reparse(text: string): unknown {
  return JSON.parse(text);
}

const NOT_JSON = ["{", '{"a":', "{'a':1}", "NaN", "\u0000", "{}}", '{"a":1,}', "--", "undefined"];

/** A body the operation's schema refuses, with the JSON content type unless said otherwise. */
export function invalidBody(
  op: Operation,
  known: Record<string, string[]>,
): fc.Arbitrary<{
  body: string;
  contentType: string;
  why: string;
}> {
  const schema = op.body as Schema;
  const structural = fc
    .tuple(validValue(schema, known) as fc.Arbitrary<unknown>, fc.nat(), mutation)
    .map(([valid, pick, m]) => {
      const locs = locations(schema, valid);
      const loc = locs[pick % locs.length] as { at: Path; schema: Schema };
      const { value, raws } = applyMutation(valid, loc, m);
      const body = serialize(value, raws);
      return { body, contentType: "application/json", why: `${m.kind} at /${loc.at.join("/")}` };
    })
    .filter(({ body }) => {
      try {
        return !conforms(schema, reparse(body));
      } catch {
        return true; // not JSON any more: refused as malformed
      }
    });
  const wholesale = fc.oneof(
    fc.constantFrom("null", "[]", "1", '"x"', "true", "[{}]", ...HOSTILE_JSON.slice(0, 3)).map((body) => ({
      body,
      contentType: "application/json",
      why: "body of the wrong type",
    })),
    fc.constantFrom(...NOT_JSON).map((body) => ({ body, contentType: "application/json", why: "not JSON" })),
  );
  const arbs = [
    { weight: 6, arbitrary: structural },
    { weight: 2, arbitrary: wholesale },
  ];
  if (op.bodyRequired) {
    // A required JSON body sent as something else, or not at all.
    arbs.push({
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
          ),
          fc.constantFrom("", "a=1", "{}"),
        )
        .map(([contentType, body]) => ({ body, contentType, why: `content type "${contentType}"` })),
    });
  }
  return fc.oneof(...arbs);
}

export function fillPath(
  op: Operation,
  values: Record<string, string>,
  raw: Record<string, boolean> = {},
): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = values[name] ?? "x";
    return raw[name] ? v : encodeURIComponent(v);
  });
}

export function queryString(params: Record<string, string>): string {
  const q = new URLSearchParams(params).toString();
  return q ? `?${q}` : "";
}

/** Valid path values for an operation (known ids mixed with generated ones). */
export function validPathValues(op: Operation, known: Record<string, string[]>) {
  return fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => [p.name, validValue(p.schema, known, p.name) as fc.Arbitrary<string>]),
    ),
  );
}

export function validQuery(op: Operation, known: Record<string, string[]>) {
  const model = Object.fromEntries(
    op.queryParams.map((p) => [
      p.name,
      (validValue(p.schema, known, p.name) as fc.Arbitrary<unknown>).map(String),
    ]),
  );
  return fc.record(model, { requiredKeys: op.queryParams.filter((p) => p.required).map((p) => p.name) });
}

/** A request that violates the operation's schema in its path, query or body. */
export function invalidRequest(
  op: Operation,
  known: Record<string, string[]>,
): fc.Arbitrary<FuzzRequest> | null {
  const arbs: fc.Arbitrary<FuzzRequest>[] = [];
  const validBody = op.body
    ? validValue(op.body, known).map((b) => JSON.stringify(b))
    : fc.constant(undefined);
  const base = fc.tuple(validPathValues(op, known), validQuery(op, known), validBody);
  const request = (
    path: string,
    q: Record<string, string>,
    body: string | undefined,
    why: string,
    ct?: string,
  ) => ({
    method: op.method,
    url: `${path}${queryString(q)}`,
    ...(body !== undefined ? { body, contentType: ct ?? "application/json" } : {}),
    why,
  });
  for (const p of op.pathParams) {
    arbs.push(
      fc
        .tuple(base, invalidParamValue(p.schema))
        .map(([[values, q, body], bad]) =>
          request(
            fillPath(op, { ...values, [p.name]: bad }),
            q,
            body,
            `path ${p.name}=${JSON.stringify(bad)}`,
          ),
        ),
      fc
        .tuple(base, fc.constantFrom(...DOT_SEGMENTS))
        .map(([[values, q, body], seg]) =>
          request(
            fillPath(op, { ...values, [p.name]: seg }, { [p.name]: true }),
            q,
            body,
            `path ${p.name}=${seg} (raw)`,
          ),
        ),
    );
  }
  for (const p of op.queryParams) {
    arbs.push(
      fc
        .tuple(base, invalidParamValue(p.schema))
        .map(([[values, q, body], bad]) =>
          request(
            fillPath(op, values),
            { ...q, [p.name]: bad },
            body,
            `query ${p.name}=${JSON.stringify(bad)}`,
          ),
        ),
    );
  }
  if (op.body) {
    arbs.push(
      fc
        .tuple(base, invalidBody(op, known))
        .map(([[values, q], b]) => request(fillPath(op, values), q, b.body, `body: ${b.why}`, b.contentType)),
    );
  }
  if (op.bodyRequired) {
    arbs.push(base.map(([values, q]) => request(fillPath(op, values), q, undefined, "no body")));
  }
  return arbs.length ? fc.oneof(...arbs) : null;
}

/** A request that conforms to the operation's schema (known ids are mixed in for path values). */
export function validRequest(op: Operation, known: Record<string, string[]>): fc.Arbitrary<FuzzRequest> {
  const body = op.body
    ? op.bodyRequired
      ? validValue(op.body, known).map((b) => JSON.stringify(b))
      : fc.option(
          validValue(op.body, known).map((b) => JSON.stringify(b)),
          { nil: undefined },
        )
    : fc.constant(undefined);
  return fc.tuple(validPathValues(op, known), validQuery(op, known), body).map(([values, q, b]) => ({
    method: op.method,
    url: `${fillPath(op, values)}${queryString(q)}`,
    ...(b !== undefined ? { body: b, contentType: "application/json" } : {}),
    why: "valid",
  }));
}
