import { describe, expect, it } from 'vitest';
import type { FlyMachine } from '../clients/fly.ts';
import { assessFleet, probeMachine } from './fly-fleet.ts';

const passing = [{ name: 'servicecheck-00-http-4000', status: 'passing' }];
function machine(id: string, over: Partial<FlyMachine> = {}): FlyMachine {
  return {
    id,
    state: 'started',
    region: 'ord',
    hostStatus: 'ok',
    processGroup: 'gateway',
    releaseVersion: '12',
    image: 'registry.fly.io/gw:deployment-12',
    digest: 'sha256:aaa',
    checks: passing,
    ...over,
  };
}
const gatewayApp = { app: 'gw', region: 'ord', groups: ['gateway', 'ui', 'worker'] };
const healthy = [
  machine('g1'),
  machine('g2'),
  machine('u1', { processGroup: 'ui' }),
  machine('w1', { processGroup: 'worker' }),
];

describe('assessFleet', () => {
  it('passes a healthy gateway app and records the release per group', () => {
    const a = assessFleet(healthy, gatewayApp);
    expect(a.problems).toEqual([]);
    expect(a.deploys['gateway']).toEqual({
      version: '12',
      digest: 'sha256:aaa',
      image: 'registry.fly.io/gw:deployment-12',
      machines: 2,
    });
    expect(Object.keys(a.deploys).sort()).toEqual(['gateway', 'ui', 'worker']);
  });

  it.each<[string, FlyMachine[], RegExp]>([
    [
      'a critical check',
      [machine('g1', { checks: [{ name: 'c', status: 'critical', output: 'deadline exceeded' }] })],
      /machine g1 \(gateway\): health check c is critical \(deadline exceeded\)/,
    ],
    ['a warning check', [machine('g1', { checks: [{ name: 'c', status: 'warning' }] })], /health check c is warning/],
    ['no checks at all', [machine('g1', { checks: [] })], /g1 \(gateway\) reports no health checks/],
    ['a stopped machine', [machine('g1', { state: 'stopped' })], /g1 \(gateway\) is stopped, expected started$/],
    [
      'a machine mid-deploy',
      [machine('g1', { state: 'replacing' })],
      /is replacing, expected started \(a transient state/,
    ],
    ['another region', [machine('g1', { region: 'iad' })], /runs in region iad, expected ord \(FLY_REGION\)/],
    ['an unreachable host', [machine('g1', { hostStatus: 'unreachable' })], /host status is unreachable/],
    [
      'an older image in the group',
      [machine('g1', { digest: 'sha256:bbb', releaseVersion: '11' })],
      /process group gateway runs more than one release or image \(a half-finished deploy\): g1: release v11 sha256:bbb; g2: release v12 sha256:aaa/,
    ],
  ])('fails %s', (_what, bent, problem) => {
    const a = assessFleet([...bent, ...healthy.filter((m) => !bent.some((b) => b.id === m.id))], gatewayApp);
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]).toMatch(problem);
  });

  it('records a mixed group machine by machine', () => {
    const a = assessFleet([machine('g1', { digest: 'sha256:bbb' }), ...healthy.slice(1)], gatewayApp);
    expect(a.deploys['gateway']).toMatchObject({
      version: '12',
      digest: null,
      mixed: [
        { id: 'g1', digest: 'sha256:bbb' },
        { id: 'g2', digest: 'sha256:aaa' },
      ],
    });
  });

  it('fails a missing process group, and one whose only machine is stopped', () => {
    expect(
      assessFleet(
        healthy.filter((m) => m.processGroup !== 'worker'),
        gatewayApp,
      ).problems,
    ).toEqual(['process group worker has no started machine (FLY_GATEWAY_PROCESSES requires gateway, ui, worker)']);
    const stopped = assessFleet(
      [...healthy.slice(0, 3), machine('w1', { processGroup: 'worker', state: 'stopped' })],
      gatewayApp,
    ).problems;
    expect(stopped).toContain(
      'process group worker has no started machine (FLY_GATEWAY_PROCESSES requires gateway, ui, worker)',
    );
  });

  it('fails an app with no machines, and ignores destroyed and release-command machines', () => {
    expect(assessFleet([], { app: 'ch', region: 'ord', groups: [] }).problems).toEqual(['ch has no machines']);
    const extra = [
      machine('r1', { processGroup: 'fly_app_release_command', state: 'stopped', checks: [] }),
      machine('d1', { state: 'destroyed', region: 'iad' }),
    ];
    expect(assessFleet([...healthy, ...extra], gatewayApp)).toMatchObject({ problems: [], machines: 4 });
  });

  it('judges machines without a group as group app', () => {
    expect(
      assessFleet([machine('c1', { processGroup: undefined })], { app: 'ch', region: 'ord', groups: [] }).deploys,
    ).toHaveProperty('app');
  });
});

describe('probeMachine', () => {
  it('prefers a started, healthy machine of the group', () => {
    const ms = [
      machine('w0', { processGroup: 'worker', state: 'stopped' }),
      machine('w1', { processGroup: 'worker', checks: [{ name: 'c', status: 'critical' }] }),
      machine('w2', { processGroup: 'worker' }),
    ];
    expect(probeMachine(ms, 'worker')?.id).toBe('w2');
    expect(probeMachine(ms.slice(0, 2), 'worker')?.id).toBe('w1');
    expect(probeMachine(ms.slice(0, 1), 'worker')).toBeUndefined();
  });
});
