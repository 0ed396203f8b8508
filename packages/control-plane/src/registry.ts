import { ConflictError, NotFoundError, parseAt, pollPassCapability, type Capability, type ConnectorDefinition } from '@integration/contracts';
import { z } from 'zod';

const IdSchema = z.string().min(1);

/**
 * Connectors and their derived capabilities. Capability ids are unique across connectors. Each
 * poll trigger also has a poll-pass capability (`<trigger>#poll`): resolvable, so its runs can be
 * executed and reviewed like any other, but not listed among the published capabilities.
 */
export class ConnectorRegistry {
  private readonly connectorsById = new Map<string, ConnectorDefinition>();
  private readonly capabilitiesById = new Map<string, Capability>();
  private readonly pollPassesById = new Map<string, Capability>();

  register(connector: ConnectorDefinition): void {
    if (!connector || typeof connector !== 'object' || !Array.isArray(connector.capabilities)) {
      throw new ConflictError('duplicate_connector', 'registerConnector expects a definition built with defineConnector');
    }
    const previous = this.connectorsById.get(connector.id);
    for (const capability of connector.capabilities) {
      const owner = this.capabilitiesById.get(capability.id);
      if (owner && owner.connectorId !== connector.id) {
        throw new ConflictError('duplicate_capability', `capability ${capability.id} is already published by connector ${owner.connectorId}`, {
          details: { capabilityId: capability.id, connectorId: connector.id, ownerConnectorId: owner.connectorId },
        });
      }
    }
    // Re-registering a connector replaces its previous capabilities.
    for (const capability of previous?.capabilities ?? []) this.capabilitiesById.delete(capability.id);
    for (const [id, pass] of this.pollPassesById) if (pass.connectorId === connector.id) this.pollPassesById.delete(id);
    this.connectorsById.set(connector.id, connector);
    for (const capability of connector.capabilities) {
      this.capabilitiesById.set(capability.id, capability);
      const pass = pollPassCapability(capability);
      if (pass) this.pollPassesById.set(pass.id, pass);
    }
  }

  connectors(): ConnectorDefinition[] {
    return [...this.connectorsById.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  capabilities(): Capability[] {
    return [...this.capabilitiesById.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  findCapability(id: string): Capability | undefined {
    return this.capabilitiesById.get(id) ?? this.pollPassesById.get(id);
  }

  fetchConnector(id: string): ConnectorDefinition {
    const connector = this.connectorsById.get(parseAt(IdSchema, id, 'connector id'));
    if (!connector) throw new NotFoundError('unknown_connector', `no connector ${id}`, { details: { connectorId: id } });
    return connector;
  }

  fetchCapability(id: string): Capability {
    const capability = this.findCapability(parseAt(IdSchema, id, 'capability id'));
    if (!capability) throw new NotFoundError('unknown_capability', `no capability ${id}`, { details: { capabilityId: id } });
    return capability;
  }
}
