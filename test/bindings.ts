// Configuration the Worker under test runs with: the same names as .dev.vars.example,
// with test-only values. Zoom hosts stay the real ones; the emulator answers them.
export const testBindings = {
  ENVIRONMENT: "test",
  PUBLIC_BASE_URL: "https://edge.test",
  WISE_ORIGINS: "https://app.wise.test,https://admin.wise.test",
  JWT_ISSUER: "https://wise.test",
  JWT_AUDIENCE: "wise-zoom-edge",
  JWT_JWKS_URL: "",
  JWT_HS256_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  TOKEN_ENCRYPTION_KEYS:
    "t2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,t1:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
  LINK_SIGNING_KEYS:
    "s2:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=,s1:MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXY=",
  ZOOM_CLIENT_ID: "wise-local-client",
  ZOOM_CLIENT_SECRET: "wise-local-client-secret",
  ZOOM_WEBHOOK_SECRET: "wise-local-webhook-secret",
  ZOOM_OAUTH_BASE_URL: "https://zoom.us",
  ZOOM_API_BASE_URL: "https://api.zoom.us/v2",
  CONSOLE_ENABLED: "true",
  ZOOM_TIMEOUT_MS: "1500",
  ZOOM_SCOPE_SET: "granular",
  EVENTS_TIMEOUT_MS: "1000",
  // Small multipart settings so tests exercise multipart uploads with a few MiB.
  ARCHIVE_MULTIPART_THRESHOLD_BYTES: String(8 * 1024 * 1024),
  ARCHIVE_PART_SIZE_BYTES: String(5 * 1024 * 1024),
};
