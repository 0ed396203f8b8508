import type { BoundarySessionDescriptor } from './boundary/descriptor';
import type { Driver, SessionHandle } from './driver';

/** A cached session: the driver handle plus its boundary, if it has one. */
export interface OpenSession {
  key: string;
  sessionId: string;
  driver: Driver;
  handle: SessionHandle;
  provider: string | null;
  workspace: string | null;
  boundary: BoundarySessionDescriptor | null;
  /** Completed turns (or pulls). */
  turns: number;
  /** True while a turn runs. */
  busy: boolean;
}

export interface SessionInfo {
  key: string;
  sessionId: string;
  driverId: string;
  provider: string | null;
  turns: number;
  boundarySessionId: string | null;
  workingDirectory: string | null;
}
