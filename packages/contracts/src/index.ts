export * from './errors/codes';
export * from './errors/integration-error';
export * from './errors/connector-error';
export * from './redaction';
export { frozenJsonCopy } from './frozen-json';
export * from './ids';
export * from './clock';
export * from './canonical-json';
export * from './parse';

export * from './records/common';
export * from './records/credential-ref';
export * from './records/run';
export * from './records/attempt';
export * from './records/payload-ref';
export * from './records/event';
export * from './records/artifact-ref';
export * from './records/trigger';
export * from './records/target-descriptor';
export * from './records/review-refs';
export * from './records/policy-decision';
export * from './records/invocation-request';
export * from './records/auth';
export * from './records/dispatch-job';
export * from './records/webhook-route';

export * from './authoring/auth-spec';
export * from './authoring/policy-contract';
export * from './authoring/schema-checks';
export * from './authoring/define-operation';
export * from './authoring/define-trigger';
export * from './authoring/capability';
export * from './authoring/conformance-spec';
export * from './authoring/define-connector';
export * from './authoring/projection';
export { definitionError } from './authoring/definition-error';

export * from './runtime/logger';
export * from './runtime/runtime';
export { memoryArtifactPayloads } from './runtime/memory-artifact-payloads';

export * from './stores/ledger-store';
export * from './stores/auth-store';
export * from './stores/ingress-store';
export * from './stores/dispatch-store';
export * from './stores/route-store';
export * from './stores/stores';
export { checkFence } from './stores/fence';
export * as dispatchRules from './stores/dispatch-rules';
export { routeOrder, routeMatches } from './stores/route-rules';

export { memoryStores } from './memory/memory-stores';
export { Mutex, KeyedMutex } from './memory/mutex';
