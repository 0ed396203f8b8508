import { z } from 'zod';
import { ConnectorError, issuesOf, type InstallBinding } from '@integration/contracts';
import { allScopes } from './scopes';

/** The fields of Notion's OAuth token response (POST /v1/oauth/token) this connector keeps. */
export const NotionTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().min(1).nullable().optional(),
  // Present on authorization-code responses; a refresh response may omit them.
  bot_id: z.string().min(1).optional(),
  workspace_id: z.string().min(1).optional(),
  workspace_name: z.string().nullable().optional(),
  workspace_icon: z.string().nullable().optional(),
  owner: z.looseObject({ type: z.string() }).optional(),
  duplicated_template_id: z.string().nullable().optional(),
  /** Unix seconds, when Notion issues expiring tokens. */
  expires_at: z.number().int().positive().optional(),
  /** Seconds from now (the standard OAuth field), measured on the platform clock. */
  expires_in: z.number().positive().optional(),
});

/**
 * Turns Notion's token response into the durable secret. The refresh token stays in the sealed
 * secret; the connector's `leaseFields` are `['access_token']`, so it never reaches a lease.
 */
export const notionInstallBinding: InstallBinding = (tokenResponse, { now }) => {
  const parsed = NotionTokenResponseSchema.safeParse(tokenResponse);
  if (!parsed.success) {
    throw new ConnectorError({
      class: 'auth_failed',
      message: `Notion token response is missing fields: ${issuesOf(parsed.error).map((i) => i.path).join(', ')}`,
      providerCode: 'notion.invalid_token_response',
    });
  }
  const token = parsed.data;
  const secret: Record<string, string> = { access_token: token.access_token };
  if (token.bot_id) secret.bot_id = token.bot_id;
  if (token.workspace_id) secret.workspace_id = token.workspace_id;
  if (token.refresh_token) secret.refresh_token = token.refresh_token;
  if (token.workspace_name) secret.workspace_name = token.workspace_name;
  return {
    secret,
    expiresAt: token.expires_at
      ? new Date(token.expires_at * 1000).toISOString()
      : token.expires_in
        ? new Date(now + token.expires_in * 1000).toISOString()
        : null,
    scopes: [...allScopes],
    metadata: {
      botId: token.bot_id ?? null,
      workspaceId: token.workspace_id ?? null,
      workspaceName: token.workspace_name ?? null,
      ownerType: token.owner?.type ?? null,
    },
  };
};
