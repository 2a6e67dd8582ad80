import { describe, expect, it } from 'vitest';
import {
  classicObjectProblem,
  formatCosHref,
  isClassicDomain,
  isClassicHostname,
  parseCosHref,
  parseCrn,
  rootKeyFromCrn,
  vpcNameFrom,
  vpcNameProblem,
  vpcNameRuleBroken,
} from '../../../main/cloud/cloud-names';

describe('VPC name rules', () => {
  it.each([
    ['a', null],
    ['ubuntu-sealed-1', null],
    ['x'.repeat(63), null],
  ])('accepts %s', (name, problem) => {
    expect(vpcNameProblem(name)).toBe(problem);
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(64), /64 characters/],
    ['1abc', /start with a lower-case letter/],
    ['-abc', /start with a lower-case letter/],
    ['Abc', /start with a lower-case letter/],
    ['abc-', /end with a hyphen/],
    ['ab_c', /only lower-case letters, digits and hyphens/],
    ['abC', /only lower-case/],
    ['ab c', /only lower-case/],
  ])('refuses %j', (name, problem) => {
    expect(vpcNameProblem(name)).toMatch(problem);
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(64), 'tooLong'],
    ['1abc', 'firstLetter'],
    ['abc-', 'trailingHyphen'],
    ['ab_c', 'characters'],
    ['ubuntu-sealed-1', null],
  ])('names the rule %j breaks as %s (the code the renderer words)', (name, rule) => {
    expect(vpcNameRuleBroken(name)).toBe(rule);
  });

  it('makes valid names from free text', () => {
    expect(vpcNameFrom('My Image_2.qcow2')).toBe('my-image-2');
    expect(vpcNameFrom('2024 build')).toBe('build');
    expect(vpcNameFrom('---')).toBe('sealed-image');
    const long = vpcNameFrom(`a${'-b'.repeat(60)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(vpcNameProblem(long)).toBeNull();
    for (const text of ['Ünïcode näme', 'x', 'A.B.C', '9-lives', 'end-'])
      expect(vpcNameProblem(vpcNameFrom(text))).toBeNull();
  });
});

describe('cos:// references', () => {
  it('round-trips region, bucket and a key with slashes', () => {
    const href = formatCosHref({ region: 'us-south', bucket: 'my-bucket', key: 'images/2026/x.qcow2' });
    expect(href).toBe('cos://us-south/my-bucket/images/2026/x.qcow2');
    expect(parseCosHref(href)).toEqual({ region: 'us-south', bucket: 'my-bucket', key: 'images/2026/x.qcow2' });
  });
  it.each([
    'https://s3/bucket/key',
    'cos://us-south/bucket',
    'cos://us-south//key',
    'cos://US/bucket/key',
    'cos://us-south/B/key',
  ])('refuses %s', (href) => expect(parseCosHref(href)).toBeNull());
});

describe('CRNs', () => {
  const crn =
    'crn:v1:bluemix:public:kms:us-south:a/0123abc:5f1e0b0a-1111-4222-8333-444455556666:key:0c5a1d2e-aaaa-4bbb-8ccc-ddddeeeeffff';
  it('names the Key Protect instance and key', () => {
    expect(parseCrn(crn)?.serviceName).toBe('kms');
    expect(rootKeyFromCrn(crn)).toEqual({
      instanceId: '5f1e0b0a-1111-4222-8333-444455556666',
      keyId: '0c5a1d2e-aaaa-4bbb-8ccc-ddddeeeeffff',
      region: 'us-south',
    });
    expect(rootKeyFromCrn(crn.replace(':kms:', ':hs-crypto:'))?.keyId).toBe('0c5a1d2e-aaaa-4bbb-8ccc-ddddeeeeffff');
  });
  it('refuses what is not a KMS key', () => {
    expect(rootKeyFromCrn(crn.replace(':kms:', ':is:'))).toBeNull();
    expect(rootKeyFromCrn(crn.replace(':key:', ':image:'))).toBeNull();
    expect(rootKeyFromCrn('crn:v1:nope')).toBeNull();
    expect(parseCrn('not a crn')).toBeNull();
  });
});

describe('classic object names', () => {
  it('wants <name>.vhd-0.vhd for VHD and .raw for LUKS', () => {
    expect(classicObjectProblem('img.vhd-0.vhd', 'vhd')).toBeNull();
    expect(classicObjectProblem('img.vhd', 'vhd')).toMatch(/vhd-0\.vhd/);
    expect(classicObjectProblem('img.VHD', 'vhd')).toMatch(/lower-case/);
    expect(classicObjectProblem('img.raw', 'raw')).toBeNull();
    expect(classicObjectProblem('img.RAW', 'raw')).toMatch(/\.raw/);
  });
});

describe('classic host name and domain rules (SoftLayer’s, as the sandbox enforces them)', () => {
  it('accepts host names of letters, digits and inner hyphens up to 63 characters', () => {
    for (const name of ['a', 'web-1', 'A1', 'x'.repeat(63)]) expect(isClassicHostname(name), name).toBe(true);
    for (const name of ['', '-web', 'web-', 'web_1', 'web.example', 'x'.repeat(64)])
      expect(isClassicHostname(name), name).toBe(false);
  });

  it('wants a dot in a domain and no leading or trailing dot or hyphen', () => {
    for (const domain of ['example.com', 'sandbox.example', 'a-b.c.d'])
      expect(isClassicDomain(domain), domain).toBe(true);
    for (const domain of ['', 'localhost', '.example.com', 'example.com.', '-a.com', 'a_b.com'])
      expect(isClassicDomain(domain), domain).toBe(false);
  });
});
