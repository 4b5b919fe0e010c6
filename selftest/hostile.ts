import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A misbehaving HTTP server for the hang and bad-response selftests. */
export interface Hostile {
  url: string;
  /** Bytes that left the server per streamed response (`huge-body`, `huge-trace`), read when each connection closed. */
  streamedBytes(): readonly number[];
  close(): Promise<void>;
}

/**
 * How a hostile server answers every request. `trickle` sends its headers at once and then one
 * body byte every 400 ms, for ever: no silence is ever long enough for a per-request timeout.
 * `huge-trace` is a healthy Langfuse health route whose trace and observation reads stream a
 * JSON body of `HUGE_TRACE_BYTES`, as fast as the client takes it.
 */
export type Behaviour =
  | 'never-answers'
  | 'error-500'
  | 'html'
  | 'huge-body'
  | 'truncated-chunked'
  | 'trickle'
  | 'huge-trace';

/** The size of a `huge-trace` body: a production trace with a large input, as seen on the real stack. */
export const HUGE_TRACE_BYTES = 300 * 1024 * 1024;
/** The pause between two bytes of a `trickle` body. */
const TRICKLE_INTERVAL_MS = 400;

const HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';

/** Streams `prefix`, then `total` bytes of `a`, then `suffix`, as fast as the client reads; records what left when the connection closes. */
function stream(res: ServerResponse, o: { prefix: string; total: number; suffix: string }, sent: number[]): void {
  const socket = res.socket;
  socket?.once('close', () => sent.push(socket.bytesWritten));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(o.prefix);
  const chunk = Buffer.alloc(256 * 1024, 'a');
  let written = 0;
  const pump = (): void => {
    while (written < o.total && !res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(o.suffix);
  };
  pump();
}

function answer(behaviour: Behaviour, path: string, res: ServerResponse, sent: number[]): void {
  switch (behaviour) {
    case 'never-answers':
      return; // accept the request, then say nothing, forever
    case 'error-500':
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
      return;
    case 'huge-body':
      // 10 MB of JSON-looking bytes, streamed.
      return stream(res, { prefix: '{"id":"', total: 10 * 1024 * 1024, suffix: '"}' }, sent);
    case 'truncated-chunked':
      // A chunked body whose connection dies before the terminating chunk.
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write('{"id":"chatcmpl-1","object":"chat.completion","choi');
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body =
        '{"id":"chatcmpl-trickle","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"';
      let i = 0;
      const t = setInterval(() => res.write(body[i++ % body.length]!), TRICKLE_INTERVAL_MS);
      res.once('close', () => clearInterval(t));
      return;
    }
    case 'huge-trace':
      if (path === '/api/public/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK","version":"3.225.4"}');
        return;
      }
      if (path.startsWith('/api/public/traces') || path.startsWith('/api/public/observations')) {
        return stream(
          res,
          {
            prefix: '{"id":"huge","htmlPath":"/project/p/traces/huge","observations":[],"input":"',
            total: HUGE_TRACE_BYTES,
            suffix: '"}',
          },
          sent,
        );
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}');
      return;
  }
}

/** Starts a server on a loopback port that answers every request with `behaviour`. */
export async function startHostile(behaviour: Behaviour): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const sent: number[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    answer(behaviour, new URL(req.url ?? '/', 'http://hostile').pathname, res, sent);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streamedBytes: () => [...sent],
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * Watches the peak resident memory (`VmHWM`) of every process whose environment holds
 * `marker=1`, sampling /proc every 200 ms: the cutover child of a selftest, found without
 * knowing its pid. `stop()` returns the largest peak seen in bytes, or undefined where there
 * is no /proc (not Linux) or no such process was seen.
 */
export function watchPeakRss(marker: string): { stop(): number | undefined } {
  const needle = `\0${marker}=1\0`;
  let peak: number | undefined;
  const sample = (): void => {
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        if (!`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle)) continue;
        const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
        if (kb > 0) peak = Math.max(peak ?? 0, kb * 1024);
      } catch {
        // Not ours to read, or gone meanwhile.
      }
    }
  };
  const timer = setInterval(sample, 200);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
