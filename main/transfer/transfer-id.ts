/**
 * A file upload's transfer id: `upl-` and 16 hex digits of a hash of file, profile, bucket and object key (see
 * transferIdFor). Its journal is `<dataDir>/uploads/<transferId>.journal`; a job's journal there is named by the
 * job id instead. Pure: the contract imports it.
 */
export const TRANSFER_ID_PATTERN = /^upl-[0-9a-f]{16}$/;
