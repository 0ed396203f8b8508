import type { AllocateBoundaryRequest, BoundarySessionDescriptorInput, ReopenBoundaryRequest } from './descriptor';

export interface ClaimRequest {
  runtimeOwner: string;
  runtimeRef: string;
}

/**
 * The seam to a lower sandbox kernel. Every method returns the kernel's view of the boundary
 * session as a descriptor (validated by the bridge: anything but version 1 is refused).
 */
export interface BoundaryAdapter {
  readonly name: string;
  allocate(request: AllocateBoundaryRequest): Promise<BoundarySessionDescriptorInput | unknown>;
  reopen(request: ReopenBoundaryRequest): Promise<BoundarySessionDescriptorInput | unknown>;
  fetchStatus(boundarySessionId: string): Promise<BoundarySessionDescriptorInput | unknown>;
  claim(boundarySessionId: string, claim: ClaimRequest): Promise<BoundarySessionDescriptorInput | unknown>;
  heartbeat(boundarySessionId: string): Promise<BoundarySessionDescriptorInput | unknown>;
  /** Idempotent; stopping an unknown session is not an error. */
  stop(boundarySessionId: string): Promise<void>;
}
