// Evidence bundles for the HTML view's tests: one per verdict shape, with the data each chart
// needs, and one full of hostile server-provided strings. Built by hand (not recorded from a run)
// so each test knows exactly what the page must show.
import { decisionOf, SCHEMA_VERSION, verdictWord, type CheckRecord, type EvidenceBundle } from './model.ts';
import type { Span } from './timeline.ts';
import type { Unit } from './units.ts';

const check = (id: string, title: string, o: Partial<CheckRecord> = {}): CheckRecord => ({
  id,
  section: id.split('/')[0]!,
  title,
  status: 'passed',
  measurements: [],
  observations: {},
  links: [],
  durationMs: 812.4,
  ...o,
});

function bundle(
  phase: 'pre' | 'post',
  verdict: EvidenceBundle['verdict'],
  checks: CheckRecord[],
  o: Partial<EvidenceBundle> = {},
): EvidenceBundle {
  const sections: EvidenceBundle['sections'] = [];
  for (const c of checks) {
    const last = sections.at(-1);
    if (last?.section === c.section) last.checks.push(c);
    else sections.push({ section: c.section, checks: [c] });
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: `20261127T070737Z-${phase}fix`,
      phase,
      startedAt: '2026-11-27T07:07:37.247Z',
      endedAt: '2026-11-27T07:08:43.946Z',
      target: 'sandbox',
      kind: 'rehearsal',
      notRun: [],
      ranBy: { user: 'cutover', host: 'ci-runner-7', ci: null },
      tool: { name: 'gateway-cutover', version: '0.1.0' },
      gitSha: '140f6dbef3fa4bd7a5d39db5cdfa86798ccbdd4e',
      endReason: decisionOf(verdict) === 'go' || decisionOf(verdict) === 'hold' ? 'passed' : 'failed',
    },
    environment: {
      gateway: { url: 'https://gateway.hotrodan.com', version: '1.81.9' },
      langfuse: { url: 'https://langfuse.hotrodan.com', version: '3.225.4' },
      fly: {
        'hotdash-llm-gateway': {
          gateway: {
            version: 12,
            image: 'registry.fly.io/hotdash-llm-gateway:deployment-01JW31SN59',
            digest: 'sha256:cde6f8947361028c9ca6189718bc956eec59dcdd0419fab4135d2074f57518ac',
          },
          worker: { version: 12, image: null, digest: null },
        },
      },
    },
    // A sandbox fixture's verdict is a rehearsal's word, as the reporter writes it.
    verdict: verdictWord(decisionOf(verdict), 'rehearsal'),
    verdictReasons: [],
    sections,
    runErrors: [],
    // A fixed stand-in: the view prints the digest, it does not check it (evidence:verify does).
    digest: `sha256:${'ab'.repeat(32)}`,
    ...o,
  };
}

const smoke = check('3/smoke', 'HTTP 200 in < 2 s through the gateway, and the trace visible in Langfuse', {
  measurements: [
    { name: 'http_status', value: 200, unit: 'code', threshold: { op: '==', value: 200 }, pass: true },
    { name: 'total_ms', value: 245.02, unit: 'ms', threshold: { op: '<', value: 2000 }, pass: true },
    { name: 'headers_ms', value: 236, unit: 'ms' },
  ],
  observations: { traceId: '9f07ee03f9aa81cb022719498b0e4602', gatewayVersion: '1.81.9', contentChars: 51 },
  links: [
    { label: 'Langfuse trace', url: 'https://langfuse.hotrodan.com/project/p/traces/9f07ee03f9aa81cb022719498b0e4602' },
  ],
});

const exactCache = (r2: number): CheckRecord =>
  check(
    '4.1/exact-cache',
    'Identical request 3 times: #2 and #3 served from cache in < 100 ms, cache hit in Langfuse',
    {
      status: r2 < 100 ? 'passed' : 'failed',
      measurements: [
        { name: 'request_1_ms', value: 412.7, unit: 'ms' },
        { name: 'request_2_ms', value: r2, unit: 'ms', threshold: { op: '<', value: 100 }, pass: r2 < 100 },
        { name: 'request_3_ms', value: 9.4, unit: 'ms', threshold: { op: '<', value: 100 }, pass: true },
      ],
      observations: { cacheKey: 'present', langfuseCacheHit: true },
      ...(r2 < 100 ? {} : { error: `request_2_ms = ${r2} ms, required < 100 ms` }),
    },
  );

const statuses = [...Array.from({ length: 100 }, () => 200), 429];

const rpm = check(
  '5.1/rpm-limit',
  '101 requests with a 100 rpm key: the 101st gets HTTP 429, throttle logged in Langfuse',
  {
    measurements: [
      { name: 'ok_before_limit', value: 100, unit: 'requests', threshold: { op: '==', value: 100 }, pass: true },
      { name: 'first_429_at', value: 101, unit: 'requests', threshold: { op: '==', value: 101 }, pass: true },
    ],
    observations: { statusSequence: statuses, statusCounts: { '200': 100, '429': 1 }, rpmLimit: 100 },
  },
);

const failover = check(
  '5.2/failover',
  'A > 2,000-token prompt escalates gpt-4o-mini → gpt-4o; cost attributed in Langfuse',
  {
    measurements: [
      {
        name: 'escalation_prompt_tokens',
        value: 2400,
        unit: 'tokens',
        threshold: { op: '>', value: 2000 },
        pass: true,
      },
      { name: 'control_prompt_tokens', value: 1500, unit: 'tokens', threshold: { op: '<', value: 2000 }, pass: true },
      { name: 'escalation_http_status', value: 200, unit: 'code', threshold: { op: '==', value: 200 }, pass: true },
    ],
    observations: { escalatedModel: 'gpt-4o', controlModel: 'gpt-4o-mini' },
  },
);

/** Pre-cutover, every check passed: verdict go, charts for 4.1, 5.1 and 5.2. */
export const healthy: EvidenceBundle = bundle('pre', 'go', [smoke, exactCache(11.8), rpm, failover]);

/** A hostile string: markup, an attribute breakout and a script, as a compromised server could return it. */
export const HOSTILE = `<script>alert("pwned")</script><img src=x onerror="alert('x')"> & "quoted" 'single'`;

/** Pre-cutover, one failed check whose server-provided strings are all hostile: verdict no-go. */
export const failedHostile: EvidenceBundle = bundle(
  'pre',
  'no-go',
  [
    smoke,
    exactCache(180.5),
    check('5.1/rpm-limit', `rate limit ${HOSTILE}`, {
      status: 'failed',
      error: `POST https://gateway.hotrodan.com/v1/chat/completions answered HTTP 500: ${HOSTILE}\nsecond line`,
      measurements: [
        {
          name: `first_429_at${HOSTILE}`,
          value: null,
          unit: 'requests',
          threshold: { op: '==', value: 101 },
          pass: false,
        },
      ],
      observations: {
        [`key${HOSTILE}`]: HOSTILE,
        body: { nested: HOSTILE, long: 'x'.repeat(500) },
        statuses: [200, 200, 500, 429],
      },
      links: [
        { label: `trace ${HOSTILE}`, url: 'javascript:alert(1)' },
        { label: 'dashboard', url: `https://langfuse.hotrodan.com/d?q="><script>alert(2)</script>` },
      ],
    }),
  ],
  { verdictReasons: ['4.1/exact-cache failed', `5.1/rpm-limit failed ${HOSTILE}`], runErrors: [`setup: ${HOSTILE}`] },
);

/** Pre-cutover, a check skipped for lack of inputs and one inconclusive with nothing measured: verdict incomplete. */
export const incomplete: EvidenceBundle = bundle(
  'pre',
  'incomplete',
  [
    check('2/fly-processes', 'gateway, ui and worker processes running and passing health checks', {
      status: 'skipped',
      skip: { reason: 'FLY_API_TOKEN is not set', explicit: false },
      durationMs: 0.4,
    }),
    smoke,
    check('4.1/exact-cache', 'Identical request 3 times', {
      status: 'inconclusive',
      error: 'the gateway reported no cache key: cannot tell a hit from a fast miss',
      measurements: [
        { name: 'request_1_ms', value: null, unit: 'ms' },
        { name: 'request_2_ms', value: null, unit: 'ms', threshold: { op: '<', value: 100 }, pass: false },
        { name: 'request_3_ms', value: null, unit: 'ms', threshold: { op: '<', value: 100 }, pass: false },
      ],
    }),
  ],
  {
    verdictReasons: [
      '2/fly-processes skipped: FLY_API_TOKEN is not set',
      '4.1/exact-cache inconclusive: the gateway reported no cache key',
    ],
  },
);

// The watch's `series` observation: `WatchPoint`s of src/measure/watch.ts, one per poll.
const series = Array.from({ length: 16 }, (_, i) => ({
  atMs: i * 120_000,
  requests: 180 * (i + 1),
  windowRequests: 180,
  windowErrorRate: i === 11 ? 0.031 : 0.004 + (i % 3) * 0.002,
  windowP95Ms: i === 5 ? null : 820 + (i % 4) * 40,
  windowLatencySamples: i === 5 ? 0 : 60,
  histogramP95Ms: 1000,
  hitRate: i === 0 ? null : 0.36 + (i % 5) * 0.01,
  throttled: 0,
}));

/** Post-cutover watch with time series (one error-rate spike above 2 %, one interval without latency data): verdict rollback. */
export const postWatch: EvidenceBundle = bundle(
  'post',
  'rollback',
  [
    check('6/live-traffic', 'every agent has live traffic and the steady cache hit rate holds, overall and per agent', {
      measurements: [
        { name: 'requests', value: 2880, unit: 'requests', threshold: { op: '>=', value: 1 }, pass: true },
        { name: 'cache_hit_rate', value: 0.38, unit: 'ratio', threshold: { op: '>=', value: 0.3 }, pass: true },
        { name: 'traces_support-bot', value: 412, unit: 'traces', threshold: { op: '>=', value: 1 }, pass: true },
        { name: 'requests_support-bot', value: 1400, unit: 'requests' },
        {
          name: 'cache_hit_rate_support-bot',
          value: 0.41,
          unit: 'ratio',
          threshold: { op: '>=', value: 0.3 },
          pass: true,
        },
        { name: 'traces_order-tracker', value: 198, unit: 'traces', threshold: { op: '>=', value: 1 }, pass: true },
        { name: 'requests_order-tracker', value: 1480, unit: 'requests' },
        {
          name: 'cache_hit_rate_order-tracker',
          value: 0.35,
          unit: 'ratio',
          threshold: { op: '>=', value: 0.3 },
          pass: true,
        },
      ],
      observations: { agents: ['support-bot', 'order-tracker'], agentsFrom: 'AGENTS_CONFIG_PATH' },
      links: [{ label: 'Langfuse traces (all agents)', url: 'https://langfuse.hotrodan.com/traces' }],
    }),
    check('7/watch', 'error rate and p95 latency stay within the rollback thresholds for MONITOR_DURATION', {
      status: 'failed',
      error:
        'error rate 3.1 % over the last 5 min > 2 % at 22 min of 30 min. Runbook §7, "LiteLLM unavailable": roll back.',
      measurements: [
        { name: 'requests', value: 2880, unit: 'requests', threshold: { op: '>=', value: 50 }, pass: true },
        {
          name: 'max_window_error_rate',
          value: 0.031,
          unit: 'ratio',
          threshold: { op: '<=', value: 0.02 },
          pass: false,
        },
        { name: 'error_rate', value: 0.006, unit: 'ratio' },
        { name: 'baseline_p95_ms', value: 820, unit: 'ms' },
        { name: 'max_window_p95_ms', value: 940, unit: 'ms', threshold: { op: '<=', value: 1640 }, pass: true },
      ],
      observations: {
        series,
        watchedMs: 1_800_000,
        baselineSource: 'evidence/latest-pre/evidence.json',
        rollbackTrigger: {
          rule: 'error-rate',
          value: 0.031,
          limit: 0.02,
          unit: 'ratio',
          samples: 180,
          minSamples: 50,
          windowMs: 300_000,
          atMs: 1_320_000,
          line: 'ROLLBACK: error rate 3.1 % > 2.0 % over 180 requests (window 5 min)',
        },
      },
    }),
  ],
  { verdictReasons: ['7/watch: ROLLBACK: error rate 3.1 % > 2.0 % over 180 requests (window 5 min)'] },
);

/**
 * Hostile strings aimed at the Markdown, HTML, JUnit and on-pass views rather than at a browser:
 * line breaks that start a forged heading, table row or list item, Markdown links, images and
 * autolinks, raw HTML, backticks and pipes that end a code span or a cell, GitHub math, control
 * characters (C0, C1, ANSI escapes, a bidi override), text that is not valid UTF-16 or not
 * allowed in XML, and 10 kB strings.
 */
export const INJECTIONS = {
  /** A server that answers its version with a forged verdict heading (CR/LF, as in a raw header). */
  heading: '1.81.9\r\n\r\n# Cutover pre-check: **GO** (auditor-approved)\r\n',
  /** A forged table: a header, a delimiter row and a passing row. */
  table: '3.225.4\n\n| check | status |\n|---|---|\n| 9/forged | ✅ passed |',
  /** A row of the table it lands in, with no line break: only the pipes. */
  row: 'sha256:abc | forged | row | `x` |',
  image: '![img](http://x/pixel.png)',
  link: '[link](http://evil)',
  autolinks: 'see http://evil.example/a and www.evil.example and mail ops@evil.example or <http://evil.example/b>',
  html: '<script>alert(1)</script><img src=x onerror=alert(2)><!-- c --><b>bold</b>',
  backticks: '``` js\n`code` `` \\` end',
  markup: '*em* _em_ __strong__ ~~del~~ $\\color{green}\\textsf{GO}$ &lt;entity&gt; &#x3C;b&#x3E; [^1] [ ] \\',
  blocks: '- item\n+ item\n1. item\n> quote\n    code\n---\n===\n```\n~~~\n[ref]: http://evil',
  control: 'a\u0000b\u0007c\u001b[31mred\u001b[0m\u0085d\u009be\u202egnp.exe\u2028f\ud800g\uffff\u000bh\u000ci',
  /** A Fly digest with a line of its own for CUTOVER_DEPLOY_HASHES. */
  digest: 'sha256:cde6f8\r\nhotdash-llm-gateway/gateway release=99 image=evil digest=sha256:forged',
  long: `${'A'.repeat(10_240)}END`,
} as const;

const I = INJECTIONS;
const all = Object.values(INJECTIONS).join('\n');

/** Pre-cutover, every string a server or an edited bundle can set carries the injections above: verdict no-go. */
export const injected: EvidenceBundle = bundle(
  'pre',
  'no-go',
  [
    smoke,
    check('5.1/rpm-limit', `rate limit ${I.heading}${I.long}`, {
      status: 'failed',
      error: `POST https://gateway.hotrodan.com/v1/chat/completions answered HTTP 500:\n${all}`,
      measurements: [
        {
          name: `first_429_at ${I.row}`,
          value: null,
          unit: `u${I.html}` as Unit,
          threshold: { op: '==', value: 101 },
          pass: false,
        },
        { name: `${I.table}`, value: 3, unit: `ms${I.control}` as Unit, threshold: { op: '<', value: 2 }, pass: false },
        { name: I.long, value: 1, unit: I.image as Unit },
      ],
      observations: { [`key${I.heading}`]: I.link, body: I.long, control: I.control },
      links: [
        { label: `trace ${I.link}`, url: 'javascript:alert(1)' },
        { label: I.image, url: 'https://langfuse.hotrodan.com/d?q=a&lt;b>(c)[d]`e`|f' },
        { label: 'newline', url: 'https://langfuse.hotrodan.com/t\n# forged' },
        { label: I.long, url: `https://langfuse.hotrodan.com/${I.long}` },
      ],
    }),
    check('5.2/failover', I.blocks, {
      status: 'skipped',
      skip: { reason: `${I.blocks}\n${I.markup}`, explicit: true },
      observations: { escalatedModel: `not checked: ${I.heading}${I.autolinks}` },
    }),
  ],
  {
    environment: {
      gateway: { url: `https://gateway.hotrodan.com${I.heading}`, version: I.heading },
      langfuse: { url: 'https://langfuse.hotrodan.com', version: I.table },
      fly: {
        'hotdash-llm-gateway': {
          gateway: { version: `12${I.heading}`, image: `registry.fly.io/gw${I.backticks}`, digest: I.digest },
          [`worker${I.row}`]: { version: 12, image: I.image, digest: null },
          [`ui${I.control}`]: { version: I.long, image: null, digest: `${I.row}${I.html}` },
        },
      },
    },
    verdictReasons: [`5.1/rpm-limit failed: ${I.heading}`, `${I.blocks}`, I.autolinks, I.markup, I.long],
    runErrors: [`setup: ${I.html}\n${I.table}`, `${I.image} ${I.link}`, I.control],
  },
);

// The §1 and §2 checks as a sandbox rehearsal records them (observations trimmed from a
// `pnpm test:cutover` run): passes with nothing measured, whose views say what each verified.
const infraChecks = (s: (text: string) => string = (x) => x): CheckRecord[] => [
  check('1/fly-secrets', 'the expected secret names exist on each Fly app (names only)', {
    observations: {
      flyTransport: 'api',
      secrets: {
        [s('hotdash-llm-gateway')]: { expected: 5, missing: [] },
        'hotdash-langfuse-clickhouse': { expected: 1, missing: [] },
      },
    },
  }),
  check('1/langfuse-schema', 'Langfuse migrations applied', {
    observations: {
      postgresMigrations: 'not checked: LANGFUSE_DATABASE_URL is not set',
      via: 'fly-exec',
      clickhouseMigration: { version: 46, dirty: false },
    },
  }),
  check('1/tls', 'DNS resolves and the certificates verify for their host', {
    measurements: [
      { name: 'gateway_days_left', value: 90, unit: 'days', threshold: { op: '>=', value: 14 }, pass: true },
    ],
    observations: { gateway: { host: s('gateway.hotrodan.com'), validTo: '2027-03-03T07:40:25.000Z' } },
  }),
  check('2/clickhouse', 'an authenticated SELECT 1 returns 1', {
    observations: {
      via: 'fly-exec',
      where: 'fly exec hotdash-langfuse-clickhouse/e831f1b5849b31',
      clickhouseVersion: s('24.8.4.13'),
    },
  }),
  check('2/fly-machines', 'every machine is started in FLY_REGION and passes its checks', {
    observations: {
      machines: { 'hotdash-llm-gateway': 4, 'hotdash-langfuse-clickhouse': 1 },
      deploys: {
        'hotdash-llm-gateway': { gateway: { version: s('12'), machines: 2 }, worker: { version: '12', machines: 2 } },
        'hotdash-langfuse-clickhouse': { app: { version: '3', machines: 1 } },
      },
    },
  }),
  check('2/langfuse-ui', 'log in with the vault credentials, dashboards load, Langfuse v3', {
    measurements: [
      { name: 'dashboard_status', value: 200, unit: 'code', threshold: { op: '==', value: 200 }, pass: true },
    ],
    observations: {
      langfuseVersion: s('3.225.4'),
      sessionUser: 'cutover@example.test',
      dashboard: '/project/p → 200',
      backgroundMigrations: { finished: 4, pending: [], failed: [] },
    },
  }),
  check('6/team-keys', 'every TEAM_KEY_* the agents use is a live gateway key', {
    observations: {
      teamKeys: ['support_bot', 'order_tracker', 'returns_assistant', 'billing', 'search'].map((a) => ({
        variable: `TEAM_KEY_${a}`,
        state: 'live',
        rpmLimit: 600,
      })),
    },
  }),
  check('9/unknown', 'a check the registry does not know', { observations: { answer: s('42'), detail: { a: 1 } } }),
  check('9/nothing', 'a check that recorded nothing'),
];

/** Pre-cutover, passed infra checks as a rehearsal records them, one unknown to the registry, one with nothing recorded. */
export const infra: EvidenceBundle = bundle('pre', 'go', infraChecks());

/** `infra` with the injections (raw HTML first, so that it survives the bound) after every server string the verified texts quote. */
export const infraInjected: EvidenceBundle = bundle(
  'pre',
  'go',
  infraChecks((x) => `${x}${[INJECTIONS.html, ...Object.values(INJECTIONS)].join(' ')}`),
);

/** A span as a fixture writes it: kind, label, start and end in ms after its check started. */
const sp = (kind: Span['kind'], label: string, startMs: number, endMs: number): Span => ({
  kind,
  label,
  startMs,
  endMs,
});

const CHAT = 'POST /v1/chat/completions';

/**
 * Pre-cutover with timelines: five checks on a 16 s run, overlapping (three workers), the
 * first starting 1.9 s in and the last ending 0.3 s before the run. 4.2/semantic-cache is the
 * longest (13 s: its three trace waits overlap, 9.8 s together, after a 1 s settle and 1.6 s of
 * requests), so the critical path is 1.9 + 13 + 0.3 = 15.2 s of 16 s: verdict go.
 */
export const timed: EvidenceBundle = (() => {
  const b = bundle('pre', 'go', [
    {
      ...smoke,
      durationMs: 2400,
      timeline: {
        startedAt: '2026-11-27T07:07:39.147Z',
        spans: [sp('request', CHAT, 0, 245), sp('langfuse', 'trace 9f07ee03f9aa81cb022719498b0e4602', 260, 2380)],
      },
    },
    {
      ...exactCache(11.8),
      durationMs: 6100,
      timeline: {
        startedAt: '2026-11-27T07:07:39.197Z',
        spans: [
          sp('request', CHAT, 0, 413),
          sp('settle', 'LiteLLM cache write', 420, 1420),
          sp('request', CHAT, 1430, 1442),
          sp('request', CHAT, 1450, 1459),
          sp('langfuse', 'trace of request 2', 1470, 6050),
        ],
      },
    },
    check('4.2/semantic-cache', 'a paraphrase is served from the semantic cache, an unrelated prompt is not', {
      durationMs: 13_000,
      observations: { paraphraseCacheHit: true, unrelatedCacheHit: false },
      timeline: {
        startedAt: '2026-11-27T07:07:39.847Z',
        spans: [
          sp('request', `${CHAT} (seed)`, 0, 820),
          sp('settle', 'LiteLLM cache write', 830, 1830),
          sp('request', `${CHAT} (paraphrase)`, 1840, 2260),
          sp('request', `${CHAT} (unrelated)`, 2270, 2630),
          sp('langfuse', 'trace of the seed', 2640, 12_440),
          sp('langfuse', 'trace of the paraphrase', 2650, 11_900),
          sp('langfuse', 'trace of the unrelated prompt', 2660, 12_100),
        ],
      },
    }),
    {
      ...rpm,
      durationMs: 11_400,
      timeline: {
        startedAt: '2026-11-27T07:07:41.547Z',
        spans: [
          sp('request', 'GET /key/info', 0, 120),
          sp('burst', '101 × POST /v1/chat/completions', 130, 1900),
          sp('pause', 'rate window', 1900, 2400),
          sp('langfuse', 'throttle event', 2410, 11_300),
        ],
      },
    },
    {
      ...failover,
      durationMs: 3200,
      timeline: {
        startedAt: '2026-11-27T07:07:45.297Z',
        spans: [
          sp('request', `${CHAT} (2,400 tokens)`, 0, 1900),
          sp('request', `${CHAT} (1,500 tokens)`, 1910, 2700),
          sp('langfuse', 'trace of the escalation', 2710, 3200),
        ],
      },
    },
  ]);
  return { ...b, run: { ...b.run, endedAt: '2026-11-27T07:07:53.247Z' } };
})();
