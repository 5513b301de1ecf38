/**
 * Main → renderer notifications, validated against the shared event contract before they
 * leave main (Electron: webContents.send; browser host: server-sent events).
 */
import { IPC_EVENT_CONTRACT } from '../../shared/ipc/schemas';
import type { IpcEventName } from '../../shared/ipc/channels';
import type { ConsoleLogger } from '../core/logger';
import type { EmitEvent } from '../core/remote-sessions';

export type EventDelivery = (event: IpcEventName, payload: unknown) => void;

export function createEventSink(deliver: EventDelivery, log: ConsoleLogger): EmitEvent {
  return (event, payload) => {
    const parsed = IPC_EVENT_CONTRACT[event].safeParse(payload);
    if (!parsed.success) {
      log.warn('event withheld: payload does not match its schema', { event });
      return;
    }
    deliver(event, parsed.data);
  };
}
