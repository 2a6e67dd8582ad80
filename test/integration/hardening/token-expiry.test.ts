import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSourceImage, startHardeningRig, type HardeningRig } from '../../helpers/hardening-rig';
import { ReliabilityRecorder } from '../../helpers/hardening-stats';

/**
 * IAM tokens that expire in the middle of a step: the sandbox IAM issues 3-second tokens and Key Protect holds
 * its answer to the wrap back for 4 s, so the token the wrap step started with is dead before its round-trip
 * unwrap. The sandbox services refuse expired tokens (401), so the job completes only if the client fetched a
 * new token mid-step.
 */
const stats = new ReliabilityRecorder('token-expiry');
const TTL_SECONDS = 3;

describe('token expiry mid-step', { timeout: 300_000 }, () => {
  let rig: HardeningRig;

  beforeAll(async () => {
    rig = await startHardeningRig({ iamTokenTtlSeconds: TTL_SECONDS });
  });
  afterAll(async () => {
    stats.flush();
    await rig?.close();
  });

  it(`completes a job with ${TTL_SECONDS}-second tokens and a wrap answer slower than their life`, async () => {
    const source = await makeSourceImage(rig.dir, 'source.raw', 8, 4);
    rig.kmsProxy.setScript((request) =>
      request.keyAction === 'wrap' ? { kind: 'slow-answer', ms: (TTL_SECONDS + 1) * 1000 } : { kind: 'pass' },
    );
    const run = await rig.cli(['run', source, '--target', 'classic-luks', '--iter-time', '20']);
    expect(run.result?.state, run.stdout + run.stderr).toBe('imported');
    const tokenRequests = rig.iamProxy.requests.filter((request) => request.url.startsWith('/identity/token'));
    // one token for the first calls, at least one more after the slow wrap
    expect(tokenRequests.length).toBeGreaterThanOrEqual(2);
    const wrapIndex = rig.kmsProxy.requests.findIndex((request) => request.keyAction === 'wrap');
    const unwrapIndex = rig.kmsProxy.requests.findIndex((request) => request.keyAction === 'unwrap');
    expect(wrapIndex).toBeGreaterThanOrEqual(0);
    expect(unwrapIndex).toBeGreaterThan(wrapIndex);
    expect((await rig.app.audit.verify()).ok).toBe(true);
    stats.add('faultsInjected', 1, `token expired during the wrap step (${tokenRequests.length} tokens issued)`);
    stats.add('inputsTried');
  });
});
