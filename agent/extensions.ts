import type { AgentMessageOf, AgentToServerMessage, ServerMessageType, ServerToAgentMessage } from '../shared/agent-protocol/messages';
import type { AgentState } from './state';
import type { ServerKey } from './signing';
import type { AgentLogger } from './logger';
import { installViewer } from './screen/handler';
import { installTerminal } from './terminal/handler';

/**
 * What a message handler plugged into the agent can use: send to the server, verify signed
 * orders, and know who this endpoint is. Terminal and viewer handlers (agent/terminal,
 * agent/screen) install themselves through `AGENT_EXTENSIONS` below.
 */
export interface AgentRuntime {
  readonly state: AgentState;
  readonly serverKey: ServerKey;
  readonly logger: AgentLogger;
  /** Sends a message if connected; returns false when it could not be sent (not connected). */
  send(message: AgentToServerMessage): boolean;
  /** Handles one server message type; the message is already schema-validated. */
  on<T extends ServerMessageType>(type: T, handler: (message: Extract<ServerToAgentMessage, { type: T }>) => void): void;
  /** Called when the connection drops (close local sessions that cannot survive it). */
  onDisconnect(handler: () => void): void;
}

export type AgentExtension = (runtime: AgentRuntime) => void;

/**
 * EXTENSION POINT: add one line per installer (e.g. `installTerminal` from agent/terminal).
 * Server messages of a type nobody handles are answered with a refusal naming the type.
 */
export const AGENT_EXTENSIONS: AgentExtension[] = [(runtime) => void installTerminal(runtime), (runtime) => void installViewer(runtime)];

export type { AgentMessageOf };
