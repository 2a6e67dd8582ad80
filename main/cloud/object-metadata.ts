/**
 * What the upload records on the COS object for the import check: the SHA-256 of the image's virtual (decrypted)
 * content, as user metadata. S3 sends it as the header `x-amz-meta-content-sha256`; ibm-cos-sdk takes it as
 * `Metadata: { [CONTENT_DIGEST_METADATA]: job.seal.contentSha256 }` on putObject / createMultipartUpload.
 * IBM's own import does not read it; the sandbox's import check compares the decrypted image with it, so an
 * object changed after upload ends `image_data_corrupted`.
 */
export const CONTENT_DIGEST_METADATA = 'content-sha256';

/** The fallback when the object carries no metadata: a sidecar object `<key>.manifest.json` with `contentSha256`. */
export const MANIFEST_SUFFIX = '.manifest.json';

export function contentDigestMetadata(contentSha256: string): Record<string, string> {
  return { [CONTENT_DIGEST_METADATA]: contentSha256 };
}
