import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';
import { authorizeRead, type ApiKeys } from './auth.ts';

/** The sandbox's single organization; the UI session reports the same one. */
export const ORGANIZATION = { id: 'sandbox-org', name: 'Sandbox' } as const;

/** The project name shown in the UI and by `/api/public/projects`. */
export const PROJECT_NAME = 'cutover-sandbox';

/**
 * `GET /api/public/projects`: the project the key belongs to. LiteLLM's Langfuse callback
 * calls it at start-up, so a gateway pointed at the sandbox needs it to answer.
 */
export function handleProjects(req: IncomingMessage, res: ServerResponse, keys: ApiKeys, projectId: string): void {
  if (!authorizeRead(req, res, keys)) return;
  sendJson(res, 200, { data: [{ id: projectId, name: PROJECT_NAME, organization: ORGANIZATION, metadata: {} }] });
}
