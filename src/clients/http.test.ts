import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointUnreachableError, UnexpectedResponseError } from './errors.ts';
import { BodyTooLargeError, bytesText, closePools, DEFAULT_MAX_BODY_BYTES, send } from './http.ts';

// Hostile answers from a real local server: endless streams, a lying content-length, a trickle.
let server: Server;
let url: string;
/** Bytes the server got onto the wire for the last streamed response, read when its socket closed. */
let streamedBytes = 0;

/** Writes `total` bytes of `a` (or forever), as fast as the client reads them. */
function stream(res: ServerResponse, total = Infinity): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const socket = res.socket!;
  socket.once('close', () => (streamedBytes = socket.bytesWritten));
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/small')
      return void res.writeHead(200, { 'content-type': 'application/json', 'x-n': '1' }).end('{"ok":true}');
    if (u.pathname === '/endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return stream(res);
    }
    if (u.pathname === '/exactly') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return stream(res, Number(u.searchParams.get('bytes')));
    }
    if (u.pathname === '/declared') {
      // Declares 300 MB and sends a few bytes: the declaration alone must be refused.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * 1024 * 1024) });
      return void res.write('{"id":"');
    }
    if (u.pathname === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write('a'), 100);
      return void res.once('close', () => clearInterval(t));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closePools();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('send: every read bounded', () => {
  it('returns status, lower-cased headers, text and timing of a small body', async () => {
    const res = await send(`${url}/small`, { timeoutMs: 2000 });
    expect(res).toMatchObject({ method: 'GET', status: 200, text: '{"ok":true}', headers: { 'x-n': '1' } });
    expect(res.timing.totalMs).toBeGreaterThanOrEqual(res.timing.headersMs);
  });

  it('stops an endless body at the cap it was given, names the cap, and drops the connection', async () => {
    const cap = 1024 * 1024;
    const err = await send(`${url}/endless`, { timeoutMs: 5000, maxBodyBytes: cap }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    const e = err as BodyTooLargeError;
    expect(e.limit).toBe(cap);
    expect(e.received).toBeGreaterThan(cap);
    expect(e.message).toMatch(
      new RegExp(
        `^GET ${url}/endless: HTTP 200, expected a body under 1048576 bytes \\(the 1 MiB cap of this read; the read stopped after \\d+ bytes\\); body starts: "a{300}…"$`,
      ),
    );
    await expect.poll(() => streamedBytes, { timeout: 2000 }).toBeGreaterThan(0);
    // The cap plus what the loopback socket buffers held: nowhere near an endless stream.
    expect(streamedBytes).toBeLessThan(cap + 16 * 1024 * 1024);
  });

  it('applies the 4 MiB default cap to a call that names none, and reads a body exactly at the cap', async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
    const over = await send(`${url}/exactly?bytes=${DEFAULT_MAX_BODY_BYTES + 64 * 1024}`, { timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(over).toBeInstanceOf(BodyTooLargeError);
    expect((over as BodyTooLargeError).limit).toBe(DEFAULT_MAX_BODY_BYTES);
    expect((over as Error).message).toContain('the 4 MiB cap of this read');
    const at = await send(`${url}/exactly?bytes=${1024 * 1024}`, { timeoutMs: 5000, maxBodyBytes: 1024 * 1024 });
    expect(at.text).toHaveLength(1024 * 1024);
  });

  it('refuses a declared content-length over the cap without reading the body', async () => {
    const err = (await send(`${url}/declared`, { timeoutMs: 5000 }).catch((e: unknown) => e)) as BodyTooLargeError;
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err.received).toBe(0);
    expect(err.message).toContain(`content-length ${300 * 1024 * 1024} was refused unread`);
  });

  it('cuts a trickling body at twice the timeout and says so, though no silence ever reached the timeout', async () => {
    const started = performance.now();
    const err = await send(`${url}/trickle`, { timeoutMs: 300 }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect((err as Error).message).toMatch(
      /expected a complete body within 600 ms \(2 × the 300 ms timeout; \d+ bytes had arrived: the server stalls or trickles its answer\)/,
    );
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(2000);
  });

  it('refuses a nonsense cap, and reports a refused connection as unreachable', async () => {
    await expect(send(`${url}/small`, { timeoutMs: 1000, maxBodyBytes: 0 })).rejects.toThrow(RangeError);
    await expect(send('http://127.0.0.1:1/x', { timeoutMs: 1000 })).rejects.toThrow(EndpointUnreachableError);
  });

  it('writes byte counts as an engineer reads them', () => {
    expect([bytesText(300), bytesText(64 * 1024), bytesText(16 * 1024 * 1024), bytesText(1.5 * 1024 * 1024)]).toEqual([
      '300 B',
      '64 KiB',
      '16 MiB',
      '1.5 MiB',
    ]);
  });
});
