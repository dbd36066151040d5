// drizzle-kit writes flat NNNN_name.sql migrations that wrangler and the tests apply.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
