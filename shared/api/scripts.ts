import { z } from 'zod';
import { ShellName } from '../agent-protocol/policy-wire';
import { Id, Timestamp } from './common';
import { DispatchRun } from './endpoints';

/** Saved scripts, identified for permit-by-hash by the sha256 of their text. */
export const ScriptSummary = z.object({
  id: Id,
  tenantId: Id,
  name: z.string(),
  description: z.string(),
  shell: ShellName,
  sha256: z.string(),
  /** The current text's hash is permitted for the tenant (a changed script needs a new permit). */
  permitted: z.boolean(),
  createdAt: Timestamp,
  createdBy: Id.nullable(),
  updatedAt: Timestamp,
  updatedBy: Id.nullable(),
});
export const Script = ScriptSummary.extend({ body: z.string() });
export type Script = z.infer<typeof Script>;

export const ScriptListQuery = z.strictObject({ tenantId: Id.optional() });
export const ScriptListResponse = z.object({ scripts: z.array(ScriptSummary) });

const ScriptBody = z
  .string()
  .min(1)
  .max(1024 * 1024);
export const CreateScriptRequest = z.strictObject({
  /** Required for platform staff; tenant users create scripts in their own tenant. */
  tenantId: Id.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  shell: ShellName,
  body: ScriptBody,
});
export const UpdateScriptRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    shell: ShellName.optional(),
    body: ScriptBody.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'Change at least one field');

export const PermitScriptRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const RunScriptRequest = z.strictObject({
  endpointIds: z.array(Id).min(1).max(1000),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(600),
});

export const Schedule = z.object({
  id: Id,
  tenantId: Id,
  scriptId: Id,
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  endpointIds: z.array(Id),
  enabled: z.boolean(),
  nextRunAt: Timestamp.nullable(),
  lastRunAt: Timestamp.nullable(),
  createdAt: Timestamp,
  createdBy: Id.nullable(),
});
export type Schedule = z.infer<typeof Schedule>;

export const ScheduleListQuery = z.strictObject({ tenantId: Id.optional() });
export const ScheduleListResponse = z.object({ schedules: z.array(Schedule) });
export const CreateScheduleRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scriptId: Id,
  /** Five or six fields (seconds optional), e.g. `0 3 * * *` for 03:00 every day. */
  cron: z.string().trim().min(9).max(200),
  /** IANA time zone the cron expression is read in. */
  timezone: z.string().trim().min(1).max(64).default('UTC'),
  endpointIds: z.array(Id).min(1).max(1000),
  enabled: z.boolean().default(true),
});
export const UpdateScheduleRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    cron: z.string().trim().min(9).max(200).optional(),
    timezone: z.string().trim().min(1).max(64).optional(),
    endpointIds: z.array(Id).min(1).max(1000).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'Change at least one field');
export const ScheduleRunsResponse = z.object({ runs: z.array(DispatchRun) });
