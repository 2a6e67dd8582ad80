import { useTranslation } from 'react-i18next';
import type { Job } from '../../../main/jobs/job';
import { formatBytes, formatDateTime } from '../format/format';
import { CloudStatus } from './CloudStatus';
import { Facts, type Fact } from './Facts';
import { ErrorNotice } from './ErrorNotice';
import { StatusReasons } from './StatusReasons';

/** Every step's record of a job: what was found, written, wrapped, stored and created. */
export function JobRecords({
  job,
  only,
}: {
  job: Job;
  only?: ('overview' | 'source' | 'seal' | 'wrap' | 'upload' | 'import' | 'provision')[];
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const show = (part: NonNullable<typeof only>[number]) => !only || only.includes(part);
  const yesNo = (value: boolean) => (value ? t('common.yes') : t('common.no'));
  const sections: { key: string; title: string; facts: Fact[] }[] = [];

  if (show('overview')) {
    sections.push({
      key: 'overview',
      title: t('job.overview'),
      facts: [
        { label: t('job.id'), value: job.id, mono: true, testId: 'job-id' },
        { label: t('jobs.target'), value: t(`target.${job.target}`) },
        { label: t('job.profile'), value: job.profile },
        { label: t('job.created'), value: formatDateTime(job.createdAt, locale) },
        { label: t('job.updated'), value: formatDateTime(job.updatedAt, locale) },
      ],
    });
  }
  if (show('source') && job.source) {
    sections.push({
      key: 'source',
      title: t('job.sourceTitle'),
      facts: [
        { label: t('job.sourcePath'), value: job.source.path, mono: true },
        { label: t('job.sourceFormat'), value: job.source.format, testId: 'source-format' },
        { label: t('job.virtualSize'), value: formatBytes(job.source.virtualSize, locale) },
        { label: t('job.fileSize'), value: formatBytes(job.source.fileSize, locale) },
      ],
    });
  }
  if (show('seal') && job.seal) {
    const seal = job.seal;
    sections.push({
      key: 'seal',
      title: t('job.sealTitle'),
      facts: [
        { label: t('job.outputPath'), value: seal.outputPath, mono: true },
        { label: t('job.format'), value: seal.format },
        { label: t('job.cipher'), value: seal.cipher },
        { label: t('job.engine'), value: seal.engine },
        { label: t('job.outputSize'), value: formatBytes(seal.outputSize, locale) },
        { label: t('job.contentSha256'), value: seal.contentSha256, mono: true, testId: 'content-sha256' },
        { label: t('job.outputSha256'), value: seal.outputSha256, mono: true, testId: 'output-sha256' },
        { label: t('job.keyFingerprint'), value: seal.keyFingerprint, mono: true, testId: 'key-fingerprint' },
        { label: t('job.dekSize'), value: `${seal.dekSize * 8} bit` },
        { label: t('job.dekSource'), value: seal.dekSource === 'generated' ? t('job.dekGenerated') : t('job.dekFile') },
        { label: t('job.verified'), value: yesNo(seal.verified), testId: 'seal-verified' },
      ],
    });
  }
  if (show('wrap') && job.wrap) {
    const wrap = job.wrap;
    sections.push({
      key: 'wrap',
      title: t('job.wrapTitle'),
      facts: [
        { label: t('job.rootKeyCrn'), value: wrap.rootKeyCrn, mono: true, testId: 'root-key-crn' },
        { label: t('job.rootKeyId'), value: wrap.rootKeyId, mono: true },
        { label: t('job.keyVersion'), value: wrap.keyVersion, mono: true },
        { label: t('job.wdekFingerprint'), value: wrap.wdekFingerprint, mono: true, testId: 'wdek-fingerprint' },
        { label: t('job.roundTrip'), value: yesNo(wrap.roundTripVerified), testId: 'round-trip' },
        { label: t('job.wrappedAt'), value: formatDateTime(wrap.wrappedAt, locale) },
      ],
    });
  }
  if (show('upload') && job.upload) {
    const upload = job.upload;
    sections.push({
      key: 'upload',
      title: t('job.uploadTitle'),
      facts: [
        { label: t('job.bucket'), value: upload.bucket, mono: true },
        { label: t('job.region'), value: upload.region },
        { label: t('job.objectKey'), value: upload.objectKey, mono: true, testId: 'object-key' },
        { label: t('job.outputSize'), value: formatBytes(upload.size, locale) },
        { label: t('job.parts'), value: upload.partCount === undefined ? undefined : String(upload.partCount) },
        { label: t('job.etag'), value: upload.etag, mono: true },
        { label: t('job.verified'), value: yesNo(upload.verified), testId: 'upload-verified' },
        { label: t('job.uploadedAt'), value: formatDateTime(upload.uploadedAt, locale) },
      ],
    });
  }
  if (show('import') && job.import) {
    const record = job.import;
    sections.push({
      key: 'import',
      title: t('job.importTitle'),
      facts: [
        { label: t('job.imageId'), value: record.imageId, mono: true, testId: 'image-id' },
        { label: t('job.imageStatus'), value: <CloudStatus kind="image" status={record.status} />, testId: 'image-status' },
        { label: t('job.imageName'), value: record.imageName },
        { label: t('job.imageCrn'), value: record.imageCrn, mono: true },
        { label: t('job.operatingSystem'), value: record.operatingSystem },
        {
          label: t('job.statusReasons'),
          value: record.statusReasons.length ? <StatusReasons reasons={record.statusReasons} /> : t('common.none'),
          testId: 'status-reasons',
        },
        { label: t('job.requestedAt'), value: formatDateTime(record.requestedAt, locale) },
        { label: t('job.finishedAt'), value: formatDateTime(record.finishedAt, locale) },
      ],
    });
  }
  if (show('provision') && job.provision) {
    const record = job.provision;
    const details = record.details ?? {};
    // What main recorded it ordered (provision-step.ts): ids as IBM knows them, so they can be found in its console.
    const text = (key: string) =>
      typeof details[key] === 'string' || typeof details[key] === 'number' ? String(details[key]) : undefined;
    const keyIds = Array.isArray(details.keyIds) ? details.keyIds.filter((id) => typeof id === 'string') : null;
    const hourly = job.options.provisionOptions?.hourly;
    const ordered: Fact[] =
      job.target === 'vpc'
        ? [
            { label: t('wizard.provision.instanceProfile'), value: text('profile'), testId: 'instance-profile' },
            { label: t('wizard.provision.zone'), value: text('zone'), testId: 'instance-zone' },
            { label: t('wizard.provision.vpc'), value: text('vpcId'), mono: true, testId: 'instance-vpc' },
            { label: t('wizard.provision.subnet'), value: text('subnetId'), mono: true, testId: 'instance-subnet' },
            {
              label: t('wizard.provision.sshKeys'),
              value: keyIds && (keyIds.length > 0 ? keyIds.join(', ') : t('common.none')),
              mono: Boolean(keyIds?.length),
              testId: 'instance-keys',
            },
          ]
        : [
            { label: t('wizard.provision.datacenter'), value: text('datacenter'), testId: 'instance-datacenter' },
            { label: t('wizard.provision.cpus'), value: text('cpus'), testId: 'instance-cpus' },
            { label: t('wizard.provision.memory'), value: text('memoryMiB'), testId: 'instance-memory' },
            {
              label: t('job.billing'),
              value:
                typeof hourly === 'boolean'
                  ? t(hourly ? 'wizard.provision.hourly' : 'wizard.provision.monthly')
                  : undefined,
              testId: 'instance-billing',
            },
          ];
    sections.push({
      key: 'provision',
      title: t('job.provisionTitle'),
      facts: [
        { label: t('job.instanceId'), value: record.instanceId, mono: true, testId: 'instance-id' },
        { label: t('job.name'), value: record.name, testId: 'instance-name' },
        {
          label: t('job.instanceStatus'),
          value: <CloudStatus kind="instance" status={record.status} />,
          testId: 'instance-status',
        },
        ...ordered,
        { label: t('job.primaryIp'), value: text('primaryIp'), mono: true, testId: 'instance-ip' },
        { label: t('job.requestedAt'), value: formatDateTime(record.requestedAt, locale) },
      ],
    });
  }

  return (
    <div data-testid="job-records">
      {job.error && job.state === 'failed' && <ErrorNotice error={job.error} />}
      {sections.map((section) => (
        <Facts key={section.key} title={section.title} facts={section.facts} />
      ))}
    </div>
  );
}
