import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AgentEnrollRequest } from '../../shared/agent-protocol/enroll';
import { AGENT_ENROLL_PATH, AGENT_SOCKET_PATH, MAX_AGENT_FRAME_BYTES } from '../../shared/agent-protocol/messages';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { requestMeta } from '../http/routing';
import { authenticateAgent, enrollAgent } from './endpoints';
import type { AgentHub, AgentIdentity } from './hub';

const identities = new WeakMap<FastifyRequest, AgentIdentity>();

/**
 * The agent listener's routes: enrollment (HTTP) and the agent WebSocket. Credentials are
 * checked before the upgrade, so a revoked endpoint or a blocked tenant gets a plain HTTP
 * refusal (401/403 with the usual error body) and never a socket.
 */
export async function registerAgentRoutes(app: FastifyInstance, ctx: ServerContext, hub: AgentHub) {
  await app.register(websocket, { options: { maxPayload: MAX_AGENT_FRAME_BYTES } });

  app.post(AGENT_ENROLL_PATH, async (request, reply) => {
    const parsed = AgentEnrollRequest.safeParse(request.body);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
      throw errors.validation(fields);
    }
    const result = await enrollAgent(ctx, hub, parsed.data, requestMeta(request));
    return reply.code(201).send(result);
  });

  app.get(
    AGENT_SOCKET_PATH,
    {
      websocket: true,
      preValidation: async (request) => {
        identities.set(request, await authenticateAgent(ctx, request.headers.authorization));
      },
    },
    (socket, request) => {
      const identity = identities.get(request);
      if (!identity) {
        socket.close(4401, 'unauthenticated');
        return;
      }
      hub.accept(socket, identity);
    },
  );
}
