import { describe, expect, it } from 'vitest';
import { ProgressMeter, type Progress } from '../../../main/common/progress';

describe('ProgressMeter.advanceTo', () => {
  it('moves forward only, whatever order the pieces finish in', () => {
    const seen: Progress[] = [];
    let now = 0;
    const meter = new ProgressMeter('encrypt', 100, (progress) => seen.push(progress), 0, () => (now += 1));
    meter.advanceTo(40);
    meter.advanceTo(20); // an earlier piece finishing late
    meter.advanceTo(40);
    meter.advanceTo(70);
    expect(seen.map((progress) => progress.bytesDone)).toEqual([40, 70]);
  });
});
