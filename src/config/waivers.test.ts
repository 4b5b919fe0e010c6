import { describe, expect, test } from 'vitest';
import { parseWaivers } from './waivers.ts';

describe('CUTOVER_SKIP waivers', () => {
  test('each entry is "<id>: <reason>", separated by ; or new lines', () => {
    expect(
      parseWaivers(
        '2/fly-machines: no Fly token in this CI; 1/tls: checked by hand, see TICKET-12\n2/minio: console only',
      ),
    ).toEqual({
      waivers: [
        { id: '2/fly-machines', reason: 'no Fly token in this CI' },
        { id: '1/tls', reason: 'checked by hand, see TICKET-12' },
        { id: '2/minio', reason: 'console only' },
      ],
      problems: [],
    });
    expect(parseWaivers('')).toEqual({ waivers: [], problems: [] });
    expect(parseWaivers(undefined)).toEqual({ waivers: [], problems: [] });
  });

  test('typos are refused with the ids they may have meant, never ignored', () => {
    const { problems } = parseWaivers('2/fly-machine,1/tsl');
    expect(problems).toEqual([
      expect.stringMatching(
        /^"2\/fly-machine,1\/tsl" is not a check id \(waivers are separated by ";", each "<id>: <reason>"\); did you mean .*2\/fly-machines/,
      ),
    ]);
    expect(parseWaivers('1/tsl: x').problems).toEqual([
      expect.stringMatching(
        /^"1\/tsl" is not a check id; did you mean 1\/fly-secrets or 1\/langfuse-schema or 1\/redis or 1\/tls\?$/,
      ),
    ]);
  });

  test('a waiver needs a reason', () => {
    expect(parseWaivers('2/minio').problems).toEqual([
      '2/minio needs a reason: write "2/minio: <why it is not run here>"',
    ]);
    expect(parseWaivers('2/minio:   ').problems).toHaveLength(1);
  });

  test('the cutover itself cannot be waived', () => {
    const { problems } = parseWaivers(
      '3/smoke: flaky; 7/rollback-readiness: later; 6/agent-config: x; 6/team-keys: x; 7/watch: x',
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe(
      '3/smoke cannot be waived: it is the proof that the gateway answers at all (HTTP 200 in < 2 s, traced)',
    );
  });
});
