import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request header that pins a request to one machine (https://fly.io/docs/blueprints/sticky-sessions). */
export const FORCE_INSTANCE_HEADER = 'fly-force-instance-id';

/**
 * Fly's proxy in front of the gateway app's machines: it picks the machine for every request,
 * whatever the route. A request with `fly-force-instance-id` goes to that machine; any other is
 * balanced round-robin (the real proxy prefers the least loaded, nearest machine; with
 * equally idle machines in one region that spreads requests evenly, which is what a watch has
 * to cope with).
 */
export class FlyProxy<M extends { readonly id: string }> {
  private readonly byId: ReadonlyMap<string, M>;
  private next = 0;

  constructor(private readonly machines: readonly M[]) {
    if (machines.length === 0) throw new Error('gateway: a fleet needs at least one machine');
    this.byId = new Map(machines.map((m) => [m.id, m]));
    if (this.byId.size !== machines.length)
      throw new Error(`gateway: duplicate machine ids in ${machines.map((m) => m.id).join(', ')}`);
  }

  /** The machine that serves `req`; `undefined` once it has answered an unknown forced id itself. */
  machineFor(req: IncomingMessage, res: ServerResponse): M | undefined {
    const forced = req.headers[FORCE_INSTANCE_HEADER];
    if (forced === undefined) {
      const i = this.next % this.machines.length;
      this.next = i + 1;
      return this.machines[i];
    }
    const id = Array.isArray(forced) ? forced.join(', ') : forced;
    const machine = this.byId.get(id);
    if (machine) return machine;
    // Our assumption, not documented by Fly: the proxy cannot honour the pin and says so with a
    // 503 naming the id, rather than silently serving the request from another machine.
    const text = `no machine ${JSON.stringify(id)} in this app (${FORCE_INSTANCE_HEADER})\n`;
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return undefined;
  }
}
