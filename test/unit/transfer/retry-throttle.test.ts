import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../../main/transfer/retry';
import { TokenBucket } from '../../../main/transfer/throttle';
import { UploadControl } from '../../../main/transfer/upload-control';

describe('backoff', () => {
  it('grows exponentially, is capped, and is jittered over the whole range', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 5000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(799);
    expect(backoffDelay(20, policy, () => 0.999)).toBe(4995);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
  });
});

describe('token bucket', () => {
  it('lets parallel callers share the rate: each waits for the debt the ones before it left', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, () => now);
    now = 450; // 450 tokens accrued since creation
    expect(bucket.reserve(450)).toBe(0);
    expect(bucket.reserve(50)).toBe(50);
    expect(bucket.reserve(100)).toBe(150);
    now = 650; // 200 ms later the debt of 150 is paid and 50 tokens are back
    expect(bucket.reserve(50)).toBe(0);
  });

  it('never stores more than one second of tokens', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, () => now);
    now = 60_000; // a minute idle
    expect(bucket.reserve(1000)).toBe(0);
    expect(bucket.reserve(20)).toBe(20);
  });
});

describe('upload control', () => {
  it('holds workers while paused, releases them on resume, and cancels for good', async () => {
    const control = new UploadControl();
    const states: string[] = [];
    control.onChange((state) => states.push(state));
    const interrupt = control.interruptSignal;
    control.pause();
    expect(interrupt.aborted).toBe(true);
    let released = false;
    const waiting = control.whileRunning().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    control.resume();
    await waiting;
    expect(released).toBe(true);
    expect(control.interruptSignal.aborted).toBe(false);
    control.cancel();
    expect(control.cancelSignal.aborted).toBe(true);
    control.resume();
    expect(control.state).toBe('cancelled');
    expect(states).toEqual(['paused', 'running', 'cancelled']);
  });
});

describe('journal destination check', () => {
  it('lets a sandbox upload resume after the sandbox came back on another port, nothing else', async () => {
    const { sameService } = await import('../../../main/transfer/uploader');
    expect(sameService('http://127.0.0.1:4001', 'http://127.0.0.1:4999')).toBe(true);
    expect(sameService('https://s3.us-south.cloud-object-storage.appdomain.cloud', 'https://s3.us-south.cloud-object-storage.appdomain.cloud')).toBe(true);
    expect(sameService('https://s3.us-south.cloud-object-storage.appdomain.cloud', 'https://s3.eu-de.cloud-object-storage.appdomain.cloud')).toBe(false);
    expect(sameService('http://10.0.0.1:4001', 'http://10.0.0.1:4999')).toBe(false);
  });
});
