import { listen, readJson, sendJson } from '../http.ts';
import { startUpstream } from '../upstream/index.ts';
import { startGateway } from './index.ts';
const counter = { total: 0, byComponent: {} };
const cap = await listen('langfuse', counter, async (req, res) => { await readJson(req); sendJson(res, 207, { successes: [], errors: [] }); });
const up = await startUpstream({ faults: new Set(), counter, apiKey: 'k', latencyMs: 150 });
const gw = await startGateway({ faults: new Set(), counter, masterKey: 'sk-master', upstreamUrl: up.url, upstreamKey: 'k', langfuse: { url: cap.url, publicKey: 'p', secretKey: 's' } });
process.on('SIGINT', () => process.exit(0));
console.log(gw.url);
