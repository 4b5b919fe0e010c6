import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { sendJson } from '../http.ts';

// Langfuse's public API answers errors from `withMiddlewares.ts`: domain errors carry the
// error class name in `error`, zod failures carry the raw issue list. Keeping the exact shapes
// matters because the suite's error classes quote these bodies to the on-call engineer.

/** Sends a Langfuse domain error: `{ message, error: <ErrorName> }`. */
function sendDomainError(res: ServerResponse, status: number, message: string, error: string): void {
  sendJson(res, status, { message, error });
}

/** 404 `LangfuseNotFoundError`, what a read of a not-yet-ingested entity sees. */
export function sendNotFound(res: ServerResponse, message: string): void {
  sendDomainError(res, 404, message, 'LangfuseNotFoundError');
}

/** 400 for a query that failed zod validation; `error` is zod's issue array, as in v3.225.4. */
export function sendInvalidQuery(res: ServerResponse, issues: readonly z.core.$ZodIssue[]): void {
  sendJson(res, 400, { message: 'Invalid request data', error: issues });
}

/** 405 for a known path called with the wrong method. */
export function sendMethodNotAllowed(res: ServerResponse): void {
  sendDomainError(res, 405, 'Method not allowed', 'MethodNotAllowedError');
}

/**
 * The body every v1 read route answers (404, before auth) when the server runs v4 in
 * `events_only` write mode (`createAuthedProjectAPIRoute.ts`, `rejectInEventsOnlyMode`).
 */
export const EVENTS_ONLY_READ_MESSAGE =
  'This endpoint is not available on deployments running in Langfuse v4 events_only mode. Learn more about Langfuse v4 at: https://langfuse.com/docs/v4';
