import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countRequest, type Listening, type RequestCounter } from './types.ts';

/** A request handler; thrown errors become a 500 with the error message. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/**
 * Starts an HTTP/1.1 server on an ephemeral loopback port. Every request is counted under
 * `component`. `close()` also destroys idle keep-alive sockets, because the suite's undici
 * pools keep connections open and `server.close()` alone would wait for them forever.
 */
export async function listen(
  component: string,
  counter: RequestCounter,
  handler: Handler,
): Promise<Listening & { server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    countRequest(counter, component);
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    Promise.resolve()
      .then(() => handler(req, res, url))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String((err as Error)?.message ?? err) } });
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Reads the whole request body as text, refusing more than `limit` bytes (413 semantics left to the caller). */
export async function readText(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON body; returns `undefined` for an empty or unparsable body so handlers can answer 400 their own way. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Sends a JSON response with an explicit content-length (so clients can time the full body). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Resolves after `ms` milliseconds; the sandbox's only way to simulate latency. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
