import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A misbehaving HTTP server for the hang and bad-response selftests. */
export interface Hostile {
  url: string;
  close(): Promise<void>;
}

/** How a hostile server answers every request. */
export type Behaviour = 'never-answers' | 'error-500' | 'html' | 'huge-body' | 'truncated-chunked';

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';

function answer(behaviour: Behaviour, res: ServerResponse): void {
  switch (behaviour) {
    case 'never-answers':
      return; // accept the request, then say nothing, forever
    case 'error-500':
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
      return;
    case 'huge-body': {
      // 10 MB of JSON-looking bytes, streamed.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.write('{"id":"');
      pump();
      return;
    }
    case 'truncated-chunked':
      // A chunked body whose connection dies before the terminating chunk.
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write('{"id":"chatcmpl-1","object":"chat.completion","choi');
      setTimeout(() => res.socket?.destroy(), 50);
      return;
  }
}

/** Starts a server on a loopback port that answers every request with `behaviour`. */
export async function startHostile(behaviour: Behaviour): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    answer(behaviour, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
