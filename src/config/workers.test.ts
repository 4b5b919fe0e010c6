import { describe, expect, it } from 'vitest';
import { defaultWorkers } from './workers.ts';

describe('defaultWorkers', () => {
  it('gives three workers to runs that wait on real ingestion, two to a default rehearsal', () => {
    expect(defaultWorkers({})).toBe(2);
    expect(defaultWorkers({ SANDBOX_PROFILE: ' ' })).toBe(2);
    expect(defaultWorkers({ SANDBOX_PROFILE: 'default' })).toBe(2);
    expect(defaultWorkers({ SANDBOX_PROFILE: 'production' })).toBe(3);
    expect(defaultWorkers({ GATEWAY_URL: 'https://gateway.example.com' })).toBe(3);
  });
});
