import { z } from 'zod';

export const CodexExecInputSchema = z.strictObject({
  prompt: z.string().trim().min(1, 'prompt must not be empty').max(100_000),
});
export type CodexExecInput = z.infer<typeof CodexExecInputSchema>;

export const CodexExecOutputSchema = z.object({
  /** The agent's last message of the turn. */
  reply: z.string(),
  /** 1-based turn number within the session. */
  turn: z.number().int().positive(),
  /** The session id (also the attempt's runtimeRefId): invokes that share it are turns of one session. */
  sessionId: z.string().min(1),
  /** The logical workspace (target workspace root or the sandbox file scope). */
  workspace: z.string().nullable(),
  /** `sha256:<hex>` fingerprint of the lease token; never the token. */
  authBinding: z.string().min(1),
  approvalMode: z.enum(['none', 'auto', 'manual']),
});
export type CodexExecOutput = z.infer<typeof CodexExecOutputSchema>;
