import type { Job } from '../jobs/job';

/** The fields scripts rely on in `jobs show --json` and `run --json` result lines (names are an interface). */
export function jobResultFields(job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    name: job.name,
    state: job.state,
    target: job.target,
    profile: job.profile,
    source: job.source?.path ?? null,
    sealedPath: job.seal?.outputPath ?? null,
    keyFingerprint: job.seal?.keyFingerprint ?? null,
    contentSha256: job.seal?.contentSha256 ?? null,
    rootKeyCrn: job.wrap?.rootKeyCrn ?? null,
    wdek: job.wrap?.wdek ?? null,
    bucket: job.upload?.bucket ?? null,
    objectKey: job.upload?.objectKey ?? null,
    etag: job.upload?.etag ?? null,
    imageId: job.import?.imageId ?? null,
    imageStatus: job.import?.status ?? null,
    instanceId: job.provision?.instanceId ?? null,
    instanceStatus: job.provision?.status ?? null,
    error: job.error ?? null,
  };
}

export function describeJob(job: Job): string {
  const lines = [
    `Job       ${job.id} (${job.name})`,
    `State     ${job.state}${job.lastGoodState && job.state !== job.lastGoodState ? ` (last good: ${job.lastGoodState})` : ''}`,
    `Target    ${job.target}    Profile ${job.profile}`,
  ];
  if (job.source) lines.push(`Source    ${job.source.path} (${job.source.format}, ${job.source.virtualSize} bytes virtual)`);
  if (job.seal) {
    lines.push(`Sealed    ${job.seal.outputPath} (${job.seal.engine}, ${job.seal.cipher})`);
    lines.push(`          content sha256 ${job.seal.contentSha256}  key ${job.seal.keyFingerprint}  verified ${job.seal.verified ? 'yes' : 'no'}`);
  }
  if (job.wrap) lines.push(`Wrapped   root key ${job.wrap.rootKeyCrn}  WDEK ${job.wrap.wdekFingerprint}`);
  if (job.upload) lines.push(`Uploaded  cos://${job.upload.region}/${job.upload.bucket}/${job.upload.objectKey}  ${job.upload.etag ?? ''}`);
  if (job.import) lines.push(`Image     ${job.import.imageId}  ${job.import.status}`);
  if (job.provision) lines.push(`Instance  ${job.provision.instanceId}  ${job.provision.status}`);
  if (job.error) lines.push(`Error     [${job.error.step ?? ''}] ${job.error.message}${job.error.hint ? `\n          ${job.error.hint}` : ''}`);
  return lines.join('\n');
}
