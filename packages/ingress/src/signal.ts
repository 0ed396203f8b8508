import { isoAt, type Signal } from '@integration/contracts';
import type { IngressDefinition } from './definition';

export interface SignalFields {
  admissionId: string;
  tenantId: string;
  dedupeKey: string;
  externalId: string | null;
  partitionKey: string | null;
  payload: unknown;
  now: number;
}

/** The CloudEvents 1.0 envelope stored on a trigger record (`data` = the admitted payload). */
export function buildSignal(definition: IngressDefinition, fields: SignalFields): Signal {
  const subject = [fields.tenantId, definition.triggerId, fields.externalId].filter((p): p is string => !!p).join(':');
  return {
    specversion: '1.0',
    id: fields.admissionId,
    type: definition.signalType,
    source: definition.signalSource,
    subject,
    time: isoAt(fields.now),
    datacontenttype: 'application/json',
    data: fields.payload,
    tenantid: fields.tenantId,
    connectorid: definition.connectorId,
    triggerid: definition.triggerId,
    dedupekey: fields.dedupeKey,
    ...(fields.partitionKey ? { partitionkey: fields.partitionKey } : {}),
    ...(fields.externalId ? { externalid: fields.externalId } : {}),
  };
}
