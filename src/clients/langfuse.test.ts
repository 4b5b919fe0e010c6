import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointUnreachableError, UnexpectedResponseError } from './errors.ts';
import { BodyTooLargeError, closePools } from './http.ts';
import { isFatalLangfuseError, LangfuseApiError, LangfuseReader, TRACE_MAX_BYTES } from './langfuse.ts';

// A stand-in for Langfuse v3's `GET /api/public/traces/{id}`, one trace id per behaviour.
let server: Server;
let url: string;
let lastRequest: IncomingMessage | undefined;
/** Bytes the server got onto the wire for the huge trace, read when the client dropped it. */
let hugeBytesSent = 0;
const HUGE = 300 * 1024 * 1024;

const TRACE = {
  id: 't-1',
  name: 'litellm-acompletion',
  sessionId: 'run-1',
  tags: ['cutover'],
  htmlPath: '/project/p-1/traces/t-1',
  totalCost: null,
  latency: 0.4,
  input: { messages: [] },
  observations: [
    {
      id: 'o-1',
      type: 'GENERATION',
      model: 'gpt-4o-mini',
      level: 'DEFAULT',
      costDetails: { total: 0.0001 },
      usageDetails: { total: 21 },
      promptName: null,
    },
  ],
  scores: [],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastRequest = req;
    req.resume();
    const json = (status: number, body: unknown): void =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const id = decodeURIComponent(req.url!.replace('/base/api/public/traces/', ''));
    if (id === 't-1') return json(200, TRACE);
    if (id === 'not-yet') return json(404, { message: 'Trace not found within authorized project' });
    if (id === 'events-only') return json(404, { message: 'This endpoint is not available: events_only mode' });
    if (id === 'denied') return json(401, { message: 'Invalid credentials' });
    if (id === 'broken') return json(500, { message: 'Internal Server Error' });
    if (id === 'wrong-shape') return json(200, { id: 'wrong-shape', observations: [{ id: 'o', level: 'DEFAULT' }] });
    if (id === 'huge') {
      // A trace whose input is hundreds of MB, streamed as fast as the client reads.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"huge","observations":[],"input":"');
      const chunk = Buffer.alloc(256 * 1024, 'a');
      let sent = 0;
      const socket = res.socket!;
      socket.once('close', () => (hugeBytesSent = socket.bytesWritten));
      const pump = (): void => {
        while (sent < HUGE && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('"}');
      };
      return pump();
    }
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closePools();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const reader = (o: { maxTraceBytes?: number; at?: string } = {}) =>
  new LangfuseReader({
    url: o.at ?? `${url}/base`,
    publicKey: 'pk-lf-1',
    secretKey: 'sk-lf-1',
    timeoutMs: 5000,
    ...(o.maxTraceBytes ? { maxTraceBytes: o.maxTraceBytes } : {}),
  });

describe('LangfuseReader.trace', () => {
  it('reads a trace with Basic auth and hands on every field the server sent', async () => {
    const t = await reader().trace('t-1');
    expect(t).toEqual(TRACE);
    expect(lastRequest?.headers.authorization).toBe(`Basic ${Buffer.from('pk-lf-1:sk-lf-1').toString('base64')}`);
  });

  it('encodes the trace id into one path segment', async () => {
    expect(await reader().trace('../../x y')).toBeUndefined();
    expect(lastRequest?.url).toBe('/base/api/public/traces/..%2F..%2Fx%20y');
  });

  it('answers undefined while the trace is not ingested, and throws what polling cannot fix', async () => {
    expect(await reader().trace('not-yet')).toBeUndefined();
    const eventsOnly = await reader()
      .trace('events-only')
      .catch((e: unknown) => e);
    expect(eventsOnly).toBeInstanceOf(LangfuseApiError);
    expect(isFatalLangfuseError(eventsOnly)).toBe(true);
    const denied = await reader()
      .trace('denied')
      .catch((e: unknown) => e);
    expect(denied).toMatchObject({
      status: 401,
      message: expect.stringContaining('HTTP 401: {"message":"Invalid credentials"}'),
    });
    expect(isFatalLangfuseError(denied)).toBe(true);
    const broken = await reader()
      .trace('broken')
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(LangfuseApiError);
    expect(isFatalLangfuseError(broken)).toBe(false);
  });

  it('refuses a body that is not a trace, naming the field', async () => {
    const err = await reader()
      .trace('wrong-shape')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect((err as Error).message).toMatch(
      /expected a trace \{id, observations: \[\{id, type, …\}\]\} \(observations\.0\.type: /,
    );
  });

  it('stops a 300 MB trace at its cap, names the cap, and gives up polling at once', async () => {
    expect(TRACE_MAX_BYTES).toBe(16 * 1024 * 1024);
    const cap = 2 * 1024 * 1024;
    const before = process.memoryUsage();
    const err = await reader({ maxTraceBytes: cap })
      .trace('huge')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect((err as Error).message).toMatch(
      /\/api\/public\/traces\/huge: HTTP 200, expected a body under 2097152 bytes \(the 2 MiB cap of this read; the read stopped after \d+ bytes\)/,
    );
    expect(isFatalLangfuseError(err)).toBe(true);
    await expect.poll(() => hugeBytesSent, { timeout: 2000 }).toBeGreaterThan(0);
    // What left the server: the cap and the loopback buffers, not 300 MB.
    expect(hugeBytesSent).toBeLessThan(cap + 16 * 1024 * 1024);
    const after = process.memoryUsage();
    expect(after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed)).toBeLessThan(
      64 * 1024 * 1024,
    );
  });

  it('reports a refused connection as unreachable', async () => {
    await expect(reader({ at: 'http://127.0.0.1:1' }).trace('t-1')).rejects.toThrow(EndpointUnreachableError);
  });
});

describe('LangfuseReader.traceUrl: always on LANGFUSE_URL’s origin', () => {
  const r = new LangfuseReader({
    url: 'https://user:pw@langfuse.hotrodan.com/sub/',
    publicKey: 'pk',
    secretKey: 'sk',
    timeoutMs: 1000,
  });
  it('uses Langfuse’s own htmlPath', () => {
    expect(r.traceUrl('t1', '/project/p-1/traces/t1')).toBe('https://langfuse.hotrodan.com/project/p-1/traces/t1');
    expect(r.traceUrl('t1', '/project/p-1/traces/t1?timestamp=2026-01-01T00:00:00.000Z')).toBe(
      'https://langfuse.hotrodan.com/project/p-1/traces/t1?timestamp=2026-01-01T00:00:00.000Z',
    );
  });
  it.each([
    ['.evil.example/project/p/traces/t1'],
    ['@evil.example/project/p/traces/t1'],
    ['//evil.example/project/p/traces/t1'],
    ['/\\evil.example/project/p/traces/t1'],
    ['\\\\evil.example/project/p/traces/t1'],
    ['https://evil.example/project/p/traces/t1'],
    ['javascript:alert(1)'],
    ['project/p/traces/t1'],
    ['/project/p/traces/t1#@evil.example'],
    ['/project/p/traces/t1\n'],
    ['/project/p@evil.example/traces/t1'],
    [''],
  ])('falls back to /trace/<id> for htmlPath %j', (htmlPath) => {
    const link = r.traceUrl('t1', htmlPath);
    expect(link).toBe('https://langfuse.hotrodan.com/trace/t1');
    expect(new URL(link).host).toBe('langfuse.hotrodan.com');
  });
  it('falls back without an htmlPath, and encodes the trace id', () => {
    expect(r.traceUrl('t1')).toBe('https://langfuse.hotrodan.com/trace/t1');
    expect(r.traceUrl('a/../@evil.example')).toBe('https://langfuse.hotrodan.com/trace/a%2F..%2F%40evil.example');
  });
});
