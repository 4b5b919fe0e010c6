import { connect } from 'node:net';
import { type ChildServer, freePort, spawnServer } from './process.ts';

/** A running Debian `redis-server` on loopback. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** True when a PING on `port` is answered with +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    s.write('PING\r\n');
  });
}

/**
 * Starts `redis-server` (Debian's package; `.ci/run` installs it) on an ephemeral loopback port
 * with persistence off: the reference proxy's exact cache and its rate-limit counters live
 * there for one run and are gone with it.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: ChildServer = await spawnServer({
    name: 'redis-server',
    file: process.env.CUTOVER_REDIS_SERVER ?? 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    env: process.env,
    ready: () => ping(port),
    timeoutMs: 10_000,
  });
  return { host: '127.0.0.1', port, stop: () => server.stop() };
}
