// The HTTP contract of routes/tenant.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.

import { createRoute, z } from "@hono/zod-openapi";
import { hostLicensePolicyOf, licenseOnScheduleOf, meetingPolicyOf } from "../../classes/policy.ts";
import type * as tenantStore from "../../db/tenants.ts";
import { parseOrigin } from "../../events/url-policy.ts";
import { bearerSecurity, requireJsonBody, requireRole } from "../../http/context.ts";
import { json, jsonBody } from "./shared.ts";

export const MeetingPolicyFields = {
  waitingRoom: z.boolean(),
  joinBeforeHost: z.boolean(),
  muteUponEntry: z.boolean(),
  meetingAuthentication: z.boolean().openapi({ description: "Only signed-in Zoom users may join" }),
  continuousChat: z.boolean(),
  aiCompanion: z.boolean().openapi({ description: "AI Companion summary and questions (off by default)" }),
  registrationApproval: z.enum(["automatic", "manual"]),
};
export const MeetingPolicy = z.object(MeetingPolicyFields).openapi("MeetingPolicy");
export const HostLicensePolicy = z.enum(["refuse", "relicense"]);
export const LicenseOnSchedule = z.enum(["admin", "anyone", "never"]);
export const TenantView = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    userCreateAction: z.enum(["create", "custCreate"]),
    licensePolicy: z.enum(["manual", "auto-recycle"]),
    meetingPolicy: MeetingPolicy,
    hostLicensePolicy: HostLicensePolicy,
    licenseOnSchedule: LicenseOnSchedule,
    allowZoomAdminTeachers: z.boolean(),
    webhookOrigins: z.array(z.string()),
    storageAlertPercent: z.number().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi("Tenant");
export const TenantPatch = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    userCreateAction: z
      .enum(["create", "custCreate"])
      .optional()
      .openapi({ description: "How teachers' Zoom users are created (custCreate needs Zoom's approval)" }),
    licensePolicy: z
      .enum(["manual", "auto-recycle"])
      .optional()
      .openapi({ description: "auto-recycle moves a seat from the least recently teaching teacher" }),
    meetingPolicy: z
      .object({
        waitingRoom: MeetingPolicyFields.waitingRoom.optional(),
        joinBeforeHost: MeetingPolicyFields.joinBeforeHost.optional(),
        muteUponEntry: MeetingPolicyFields.muteUponEntry.optional(),
        meetingAuthentication: MeetingPolicyFields.meetingAuthentication.optional(),
        continuousChat: MeetingPolicyFields.continuousChat.optional(),
        aiCompanion: MeetingPolicyFields.aiCompanion.optional(),
        registrationApproval: MeetingPolicyFields.registrationApproval.optional(),
      })
      .strict()
      .optional()
      .openapi({
        description: "Zoom settings sent with every class meeting; a changed policy applies at the next PUT",
      }),
    hostLicensePolicy: HostLicensePolicy.optional().openapi({
      description:
        "refuse: unlicensing a host of scheduled classes is refused; relicense: allowed, and the host is licensed again before their class starts and at sync",
    }),
    licenseOnSchedule: LicenseOnSchedule.optional().openapi({
      description:
        "Who licenses an unlicensed teacher by scheduling their class: admin (default), anyone, never",
    }),
    allowZoomAdminTeachers: z
      .boolean()
      .optional()
      .openapi({ description: "Allow adopting the Zoom account's owner or an admin as a teacher" }),
    webhookOrigins: z
      .array(
        z
          .string()
          .max(300)
          .refine((o) => parseOrigin(o) !== null, "must be an origin: scheme://host[:port]")
          .transform((o) => parseOrigin(o) as string),
      )
      .max(10)
      .optional()
      .openapi({ description: "Origins event subscription URLs may point at (https in production)" }),
    storageAlertPercent: z
      .number()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: "storage.low is sent when Zoom cloud storage rises above this percentage" }),
  })
  .strict()
  .openapi("TenantPatch");
type Row = Awaited<ReturnType<typeof tenantStore.getTenant>>;

export const view = (t: Row) => ({
  id: t.id,
  name: t.name,
  userCreateAction: t.settings.userCreateAction ?? ("create" as const),
  licensePolicy: t.settings.licensePolicy ?? ("manual" as const),
  meetingPolicy: meetingPolicyOf(t.settings),
  hostLicensePolicy: hostLicensePolicyOf(t.settings),
  licenseOnSchedule: licenseOnScheduleOf(t.settings),
  allowZoomAdminTeachers: t.settings.allowZoomAdminTeachers ?? false,
  webhookOrigins: t.settings.webhookOrigins ?? [],
  storageAlertPercent: t.settings.storageAlertPercent ?? null,
  createdAt: t.createdAt === null ? null : new Date(t.createdAt).toISOString(),
});

export const getTenant = createRoute({
  method: "get",
  path: "/v1/tenant",
  tags: ["Tenant"],
  summary: "The caller's institute and its policies",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  responses: {
    200: json(TenantView, "The tenant"),
  },
});

export const patchTenant = createRoute({
  method: "patch",
  path: "/v1/tenant",
  tags: ["Tenant"],
  summary: "Change the institute's name or policies",
  security: bearerSecurity,
  middleware: [requireRole("admin"), requireJsonBody] as const,
  request: { body: jsonBody(TenantPatch) },
  responses: {
    200: json(TenantView, "The updated tenant"),
  },
});
