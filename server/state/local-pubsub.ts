import { EventEmitter } from 'node:events';
import type { RevocationNotice } from './shared-state';

/** In-process delivery of revocation notices, for the single-instance default. */
export class LocalRevocationBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(notice: RevocationNotice): void {
    // Deliver a copy so no subscriber can alter what the others receive.
    this.emitter.emit('notice', structuredClone(notice));
  }

  subscribe(handler: (notice: RevocationNotice) => void): () => Promise<void> {
    const listener = (notice: RevocationNotice) => {
      try {
        handler(notice);
      } catch {
        // A failing subscriber must not stop the others.
      }
    };
    this.emitter.on('notice', listener);
    return () => {
      this.emitter.off('notice', listener);
      return Promise.resolve();
    };
  }
}
