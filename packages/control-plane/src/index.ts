export { createControlPlane, type ControlPlane, type ControlPlaneOptions, type CallOptions } from './control-plane';
export { anonymousLease, type AuthBinding, type ResolvedBinding } from './auth-binding';
export type { InvokeResult } from './invoke/execute-plan';
export { ExecuteRunOptionsSchema, type ExecuteRunOptions } from './execute-run';
export type { ReviewPacket, CapabilitySummary, ConnectorSummary, InstallSummary } from './review-packet';
export { capabilitySummary, connectorSummary } from './review-packet';
export type { CompatibleTarget, TargetFilter } from './targets';
