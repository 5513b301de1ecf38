import type { RevocationNotice, SharedState } from './shared-state';

/** Who a long-lived connection acts for; any field may be absent (agents have no session). */
export interface ConnectionOwner {
  sessionId?: string;
  userId?: string;
  tenantId?: string;
}

type CloseConnection = (reason: string) => void;

/**
 * Long-lived connections (console and agent WebSockets) register here with a close callback.
 * Revocation notices from any server instance close the affected ones within seconds:
 * a session notice closes that session's connections, a tenant notice every connection of
 * the tenant (console and agents).
 */
export class LiveConnections {
  private readonly entries = new Set<{ owner: ConnectionOwner; close: CloseConnection }>();
  private unsubscribe: (() => Promise<void>) | null = null;

  static async attach(state: SharedState): Promise<LiveConnections> {
    const connections = new LiveConnections();
    connections.unsubscribe = await state.subscribeRevocations((notice) => connections.apply(notice));
    return connections;
  }

  /** Registers a connection; call the returned function when it closes on its own. */
  register(owner: ConnectionOwner, close: CloseConnection): () => void {
    const entry = { owner, close };
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Closes the connections a notice concerns; returns how many. */
  apply(notice: RevocationNotice): number {
    let closed = 0;
    for (const entry of [...this.entries]) {
      const match = notice.kind === 'session' ? entry.owner.sessionId === notice.sessionId : entry.owner.tenantId === notice.tenantId;
      if (!match) continue;
      this.entries.delete(entry);
      closed++;
      try {
        entry.close(notice.reason);
      } catch {
        // One failing close must not keep the others open.
      }
    }
    return closed;
  }

  async detach(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
