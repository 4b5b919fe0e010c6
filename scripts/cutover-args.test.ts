import { describe, expect, test } from 'vitest';
import { vetArguments } from './cutover-preflight.ts';

describe('pnpm test:cutover arguments', () => {
  test('-t and output options pass; --reporter adds to the evidence reporter', () => {
    expect(vetArguments(['-t', '3/smoke', '--no-color', '--reporter=dot', '--reporter', 'junit'])).toEqual({
      vitestArgs: ['-t', '3/smoke', '--no-color'],
      reporters: ['dot', 'junit'],
    });
    expect(vetArguments(['--testNamePattern=4\\.1'])).toEqual({
      vitestArgs: ['--testNamePattern=4\\.1'],
      reporters: [],
    });
  });

  test.each([
    [['tests/agents'], /refusing file filter "tests\/agents": a cutover verdict is judged against the whole runbook/],
    [['tests/agents', 'tests/smoke'], /file filter "tests\/agents"/],
    [['--project', 'unit'], /refusing option --project/],
    [['--config=other.ts'], /refusing option --config/],
    [['-c', 'x'], /refusing option -c/],
    [['--root', '/tmp'], /refusing option --root/],
    [['--shard=1/2'], /refusing option --shard/],
    [['-t'], /-t needs a value/],
  ])('%j is refused', (args, message) => {
    expect(() => vetArguments(args)).toThrow(message);
  });
});
