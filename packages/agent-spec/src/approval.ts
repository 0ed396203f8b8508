import type { Idempotency } from './document-schema';
import type { ApprovalInput } from './define-agent-input';
import type { ApprovalPolicy, EntryApproval } from './spec';

export function approvalPolicy(input: ApprovalInput | undefined): ApprovalPolicy | null {
  if (input === undefined || input === null || input === false) return null;
  const a = input === true ? {} : input;
  return {
    required: a.required ?? true,
    mode: 'pre_execution',
    reason: a.reason ?? 'approval_required',
    message: a.message ?? null,
    ttlMs: a.ttlMs ?? null,
    metadata: a.metadata ?? {},
  };
}

export function entryApproval(input: ApprovalInput | undefined): EntryApproval | null {
  const policy = approvalPolicy(input);
  if (!policy || typeof input !== 'object' || input === null) return policy ? { ...policy, only: null, except: null } : null;
  const entry = input as { only?: string[]; except?: string[] };
  return { ...policy, only: entry.only ?? null, except: entry.except ?? null };
}

/** The policy an entry approval gives one generated operation (`only`/`except` filter by name; "unsafe_once" by idempotency). */
export function approvalFor(entry: EntryApproval | null, name: string, idempotency: Idempotency): ApprovalPolicy | null {
  if (!entry) return null;
  const hit = (list: string[]) => list.includes(name) || (idempotency === 'unsafe_once' && list.includes('unsafe_once'));
  if (entry.only && !hit(entry.only)) return null;
  if (entry.except && hit(entry.except)) return null;
  const { only: _only, except: _except, ...policy } = entry;
  return policy;
}

