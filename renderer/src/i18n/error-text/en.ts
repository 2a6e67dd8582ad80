/**
 * What went wrong and what to do, per error code, for the codes a person meets in the app's pages. English
 * pages show main's own message (it names more specifics); these sentences are the source the Spanish and
 * Italian ones translate. `{{name}}` is a detail main sends with the error (renderer/src/format/errors.ts);
 * a hint here is worded for the app's pages, not for the CLI.
 */
export const enErrorText = {
  // Choosing and reading the source image
  IMAGE_NOT_FOUND: {
    message: 'There is no file at {{path}}.',
    hint: 'Check the path; the file may have been moved or deleted.',
  },
  IMAGE_NOT_A_FILE: {
    message: '{{path}} is not a disk image file.',
    hint: 'Choose the image file itself (for example disk.qcow2, disk.vhd or disk.raw), not a folder.',
  },
  IMAGE_EMPTY: {
    message: '{{path}} is empty (0 bytes), so it holds no disk image.',
    hint: 'The copy or download probably failed; get the image again.',
  },
  IMAGE_UNREADABLE: {
    message: 'The image {{path}} cannot be read.',
    hint: 'Check that the user running Image Sealer may read the file and that the disk holding it is attached.',
  },
  IMAGE_TRUNCATED: {
    message: 'The image {{path}} is incomplete: it ends before the data its own structure announces.',
    hint: 'The copy or download was probably cut short; get the image again and compare its size.',
  },
  IMAGE_CORRUPT: {
    message: 'The image {{path}} is damaged and cannot be read reliably.',
    hint: 'Check the image with qemu-img check, or export it again from its source.',
  },
  IMAGE_UNSUPPORTED_FORMAT: {
    message: 'Image Sealer cannot read the format of {{path}}.',
    hint: 'Convert the image to qcow2 or raw with qemu-img and choose the converted file.',
  },
  IMAGE_BACKING_FILE: {
    message: 'The image {{path}} depends on a backing file: on its own it holds only differences and cannot be sealed.',
    hint: 'Flatten it first (for example qemu-img convert -O qcow2 image.qcow2 flat.qcow2) and choose the flat file.',
  },
  IMAGE_ALREADY_ENCRYPTED: {
    message: 'The image {{path}} is already encrypted. Image Sealer needs the unencrypted image to seal it.',
    hint: 'Choose the original, unencrypted image. A sealed image cannot be sealed again.',
  },
  IMAGE_BAD_MAGIC: {
    message: '{{path}} is named like a {{expected}} image but does not carry the {{expected}} signature.',
    hint: 'The file is damaged or mislabelled. If it really is a raw disk, rename it to .raw or .img; otherwise get the image again.',
  },
  IMAGE_CHANGED: {
    message: 'The image {{path}} changed while it was being read, so whatever was produced from it cannot be trusted.',
    hint: 'Make sure nothing (a virtual machine, a download, a copy) is still writing the image, then start again.',
  },
  IMAGE_NOT_ACCEPTED: {
    message: 'The image does not meet the requirements of the chosen target.',
    hint: 'The problems are listed under the image; choose another target or prepare the image again.',
  },
  VHD_MALFORMED: {
    message: 'The file is not a valid encrypted VHD as vhd-util writes it.',
    hint: 'Check that it is the sealed output and that it was not truncated or altered.',
  },
  VHD_NOT_ENCRYPTED: {
    message: 'This VHD is not encrypted in the vhd-util format.',
    hint: 'Choose the sealed .vhd-0.vhd output of the Classic VHD target.',
  },
  VHD_WRONG_KEY: {
    message: 'This key does not open the VHD: its hash differs from the key hash stored in the image.',
    hint: 'Use this image’s own data encryption key (DEK); a 64-byte and a 32-byte key are not interchangeable.',
  },
  VHD_TOO_LARGE: {
    message: 'The encrypted VHD would exceed the 2 TiB a VHD can address.',
    hint: 'Choose the VPC target for disks this large.',
  },

  // Sealing
  SEAL_WRONG_KEY: {
    message: 'The key does not open this sealed image.',
    hint: 'Use the data encryption key (DEK) the image was sealed with, and check the target.',
  },
  SEAL_VERIFY_MISMATCH: {
    message: 'Verification failed: the sealed image does not decrypt to the source image.',
    hint: 'The sealed image was not kept. Seal again; if it fails again, check this computer’s disk and memory and report it.',
  },
  SEAL_WRITE_FAILED: {
    message: 'The sealed image could not be written.',
    hint: 'Check the free space and the health of the disk that holds the output folder, then resume the job.',
  },
  SEAL_EMPTY_SOURCE: {
    message: 'The source disk is empty (virtual size 0); there is nothing to seal.',
    hint: 'Choose the image that holds the disk’s data.',
  },
  SEAL_CANCELLED: {
    message: 'Sealing was cancelled; nothing was written.',
    hint: 'Seal again when you are ready.',
  },
  SEAL_OUTPUT_EXISTS: {
    message: 'The output file already exists; Image Sealer never overwrites a sealed image.',
    hint: 'Move the old file away, or start a new job.',
  },
  SEAL_TRUNCATED: {
    message: 'The sealed image ends early: the file is incomplete.',
    hint: 'Copy or download it again, or seal the image again.',
  },
  SEAL_CORRUPT: {
    message: 'The sealed image is damaged.',
    hint: 'Seal the image again; if it was copied, copy it again and compare the SHA-256 in its manifest.',
  },
  SEAL_QEMU_MISSING: {
    message: 'qemu-img is needed for this image or engine, and it is not installed.',
    hint: 'Install qemu-img (Debian/Ubuntu: apt install qemu-utils), or use the native engine with a raw, qcow2 or VHD image.',
  },
  SYSTEM_ENOSPC: {
    message: 'The disk is full.',
    hint: 'Free some space and resume the job; nothing was lost.',
  },
  SYSTEM_EACCES: {
    message: 'Permission denied.',
    hint: 'Check the permissions of the file or folder (the technical detail names it).',
  },

  // The data encryption key (DEK)
  DEK_FILE_INVALID: {
    message: 'The DEK file does not hold a data encryption key this target can use.',
    hint: 'Give a file of exactly the random bytes the target takes (or their base64 text), or let Image Sealer generate the DEK.',
  },
  DEK_SIZE: {
    message: 'The data encryption key (DEK) does not have the size this target takes.',
    hint: 'Leave the key size at its default for the target.',
  },
  DEK_WEAK: {
    message: 'The data encryption key (DEK) is not random enough to protect the image.',
    hint: 'Use random bytes, for example let Image Sealer generate the DEK.',
  },
  DEK_NOT_IN_CUSTODY: {
    message: 'The data encryption key (DEK) of this job is no longer in the keychain.',
    hint: 'If the job was already wrapped, nothing is lost. Otherwise the sealed image cannot be wrapped: seal it again.',
  },
  DEK_MISMATCH: {
    message: 'The key in the keychain is not the key this image was sealed with.',
    hint: 'Seal the image again; wrapping this key would make an image that cannot be imported.',
  },

  // The operating system's keychain
  KEYCHAIN_UNAVAILABLE: {
    message:
      'The operating system’s keychain is not available. Image Sealer keeps API keys and data encryption keys only there, never in files.',
    hint: 'Unlock the keychain (on Linux: install and unlock GNOME Keyring or KWallet in a desktop session) and try again.',
  },
  KEYCHAIN_AMBIGUOUS: {
    message: 'The keychain holds more than one entry with the same name for Image Sealer.',
    hint: 'Remove the duplicates with your keychain manager (for example Seahorse) and try again.',
  },
  KEYCHAIN_WRITE_FAILED: {
    message: 'The keychain did not keep the data encryption key (DEK) of this job.',
    hint: 'Check that the keychain is unlocked and has space, then seal again.',
  },

  // Credentials and IBM Cloud IAM
  CREDENTIALS_MISSING: {
    message: 'No IBM Cloud API key is stored for the profile {{profile}}.',
    hint: 'Store one under Settings → Credentials; it goes to the operating system’s keychain.',
  },
  API_KEY_MALFORMED: {
    message: 'That does not look like an IBM Cloud API key (one word of 8 to 256 characters).',
    hint: 'Copy the key from https://cloud.ibm.com/iam/apikeys (it is shown once, when it is created).',
  },
  HMAC_KEYS_MALFORMED: {
    message: 'Those are not COS HMAC keys.',
    hint: 'Create HMAC credentials for the COS instance (Service credentials → Include HMAC Credential).',
  },
  IAM_API_KEY_INVALID: {
    message: 'IBM Cloud IAM did not accept the API key.',
    hint: 'The key may have expired, been deleted, been mistyped or belong to another account. Store a valid key under Settings → Credentials.',
  },
  IAM_UNREACHABLE: {
    message: 'IBM Cloud IAM at {{endpoint}} cannot be reached.',
    hint: 'Check the network connection (and proxy), then try again. Sealed jobs wait safely until then.',
  },
  IAM_UNAVAILABLE: {
    message: 'IBM Cloud IAM is not available right now.',
    hint: 'Try again in a few minutes.',
  },

  // Root keys: Key Protect and Hyper Protect Crypto Services
  KMS_KEY_NOT_FOUND: {
    message: 'The root key was not found in the key service instance {{instanceId}}.',
    hint: 'Check the root key on the Root keys page and the profile’s key service instance id.',
  },
  KMS_UNAUTHORIZED: {
    message:
      'The key service refused the request: the API key’s identity has no access to the instance {{instanceId}}.',
    hint: 'Give the user or service ID of the API key an IAM access policy on this instance with at least the {{role}} service role, and check the profile’s instance id and region.',
  },
  KMS_FORBIDDEN: {
    message: 'The key service forbids this request.',
    hint: 'The identity needs at least the {{role}} service role on the instance {{instanceId}}; an instance policy (allowed network or IP addresses) can also forbid it.',
  },
  KMS_KEY_STATE: {
    message: 'The root key is not in a state that allows this operation.',
    hint: 'Wrapping needs an active key. Enable the key if it was disabled, or choose another root key.',
  },
  KMS_KEY_DELETED: {
    message: 'The root key was deleted.',
    hint: 'A deleted root key cannot wrap or unwrap again: wrap the job with another root key (the job keeps its DEK until then).',
  },
  KMS_BAD_CIPHERTEXT: {
    message: 'The wrapped key was not made by this root key, or it is damaged.',
    hint: 'Use the root key the job was wrapped with (its CRN is in the job).',
  },
  KMS_NOT_ROOT_KEY: {
    message: 'The chosen key is a standard key; only a root key can wrap.',
    hint: 'Choose a root key, or create one on the Root keys page.',
  },
  KMS_UNREACHABLE: {
    message: 'The key service at {{endpoint}} cannot be reached.',
    hint: 'Check the network connection and the profile’s endpoint and region, then try again; nothing was lost. A private endpoint is reachable only from inside IBM Cloud.',
  },
  KMS_UNAVAILABLE: {
    message: 'The key service had a problem and could not complete the request.',
    hint: 'Try again in a few minutes. Nothing was lost.',
  },
  KMS_RATE_LIMITED: {
    message: 'The key service is limiting requests; the request did not get through after several tries.',
    hint: 'Wait a minute and try again.',
  },
  ROOT_KEY_REQUIRED: {
    message: 'No root key is chosen for this job, and its profile has no default root key.',
    hint: 'Choose a root key in the Key step, or set a default root key in the profile.',
  },
  WRAP_ROUND_TRIP_FAILED: {
    message: 'Unwrapping the new wrapped key (WDEK) did not give back the data encryption key.',
    hint: 'Nothing was deleted: the key is still in the keychain. Wrap again; if it fails again, tell the Key Protect administrator.',
  },

  // Cloud Object Storage and uploads
  COS_BUCKET_REQUIRED: {
    message: 'The profile {{profile}} names no Cloud Object Storage bucket.',
    hint: 'Name a bucket for the upload, or set one in the profile.',
  },
  COS_BUCKET_NOT_FOUND: {
    message: 'There is no bucket {{bucket}} in the region {{region}}.',
    hint: 'Check the bucket’s name. If it exists, it is in another region: use that region’s endpoint in the profile.',
  },
  COS_ACCESS_DENIED: {
    message: 'The credentials are valid but not allowed to do this in the bucket {{bucket}}.',
    hint: 'Give the service ID or user the Writer role on the bucket (IAM → Access), or use credentials that have it.',
  },
  COS_CREDENTIALS_REJECTED: {
    message: 'Cloud Object Storage did not accept the credentials.',
    hint: 'Check the profile’s API key or HMAC keys under Settings → Credentials, and that they belong to the account that owns the bucket.',
  },
  COS_UNREACHABLE: {
    message: 'Cloud Object Storage at {{endpoint}} cannot be reached.',
    hint: 'Check the network and the profile’s endpoint; the upload can be resumed.',
  },
  COS_UNAVAILABLE: {
    message: 'Cloud Object Storage is busy or unavailable.',
    hint: 'The upload retries by itself; if this goes on, resume it later.',
  },
  UPLOAD_SOURCE_MISSING: {
    message: 'The file to upload, {{path}}, does not exist.',
    hint: 'Check the path, or choose the sealed file where it is now.',
  },
  UPLOAD_SOURCE_NOT_FILE: {
    message: '{{path}} is not a file.',
    hint: 'Choose the sealed image file.',
  },
  UPLOAD_SOURCE_CHANGED: {
    message: 'The file {{path}} changed since its upload started, so the parts already sent no longer match it.',
    hint: 'Restore the sealed file, or discard the upload and start it again.',
  },
  UPLOAD_JOURNAL_CORRUPT: {
    message: 'The record of this upload is damaged and cannot be trusted.',
    hint: 'Discard the upload and start it again; the sealed file itself is not affected.',
  },
  UPLOAD_NOT_FOUND: {
    message: 'This upload is neither running nor waiting to be resumed.',
    hint: 'Start it again; a partial upload resumes where it stopped.',
  },
  UPLOAD_VERIFY_FAILED: {
    message: 'The stored object does not match the file that was uploaded.',
    hint: 'Resume to upload it again.',
  },
  UPLOAD_TOO_LARGE: {
    message: 'The file is too large for one Cloud Object Storage object.',
    hint: 'An object holds at most 10,000 parts of 5 GiB.',
  },
  UPLOAD_RUNNING: {
    message: 'This upload is running, so it cannot be discarded.',
    hint: 'Cancel it instead.',
  },
  UPLOAD_PROFILE_UNKNOWN: {
    message: 'The profile this interrupted upload used no longer exists.',
    hint: 'Add the profile again, or discard the upload.',
  },

  // Importing into IBM Cloud and ordering a server
  IMAGE_NAME_INVALID: {
    message: '{{name}} is not a valid VPC image name.',
    hint: 'Use lower-case letters, digits and hyphens, starting with a letter, at most 63 characters (for example ubuntu-sealed-1).',
  },
  IMAGE_NAME_TAKEN: {
    message: 'An image named {{name}} exists already in {{region}}.',
    hint: 'Choose another image name in the Import step, or delete the old image ({{imageId}}) in IBM Cloud.',
  },
  IMPORT_OS_MISSING: {
    message: 'The operating system of the image is not chosen.',
    hint: 'Choose the operating system installed in the image in the Import step.',
  },
  IMPORT_OS_INVALID: {
    message: 'IBM Cloud did not accept the operating system chosen for the image.',
    hint: 'Choose another operating system from the list in the Import step and import again.',
  },
  IMPORT_IN_PROGRESS: {
    message: 'The job {{jobId}} already has the image {{imageId}}, so its name can no longer change.',
    hint: 'Resume the job without changing the name to follow that image.',
  },
  IMPORT_FAILED: {
    message: 'The import of the image {{imageId}} failed; IBM Cloud gives the reason {{reason}}.',
    hint: 'The technical detail explains the reason and what to do. Correct the cause and resume the job: the failed image is replaced.',
    // When IBM's first reason is one the statusReasons catalog words (the sentences above stay for new codes):
    // its meaning and fix, in the page's language, fill these (renderer/src/format/errors.ts).
    knownReason: {
      messageNamed: 'The import of the image {{name}} ({{imageId}}) failed. {{reasonMeaning}}',
      message: 'The import of the image {{imageId}} failed. {{reasonMeaning}}',
      hint: '{{reasonFix}}',
    },
  },
  INSTANCE_NAME_INVALID: {
    message: '{{name}} is not a valid name for a virtual server instance.',
    hint: 'Use lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.',
  },
  PROVISION_CHOICE_MISSING: {
    message: 'A choice the new server needs was not made.',
    hint: 'The technical detail names it and the values available. The Provision step offers the instance profile, zone and data center; give the others with the image-sealer provision command.',
  },
  PROVISION_FAILED: {
    message: 'The instance {{name}} ({{instanceId}}) ended with the status {{status}}.',
    hint: 'Look at the instance in the IBM Cloud console; delete it and resume the job to order another.',
  },
  CLOUD_NOT_AUTHORIZED: {
    message: 'IBM Cloud refused the request: the API key is not authorized for it.',
    hint: 'The API key lacks an IAM role or a service authorization this request needs; the technical detail names them. Have them granted, then resume the job.',
  },
  CLOUD_NOT_FOUND: {
    message: 'IBM Cloud did not find what the request names.',
    hint: 'Check the id and the region of the profile.',
  },
  CLOUD_CONFLICT: {
    message: 'IBM Cloud refused the request: it conflicts with an existing resource.',
    hint: 'A resource with this name may exist already: choose another name or delete the old one.',
  },
  CLOUD_REQUEST_INVALID: {
    message: 'IBM Cloud refused the request because one of its values is not valid.',
    hint: 'The technical detail names the value and IBM Cloud’s reason; correct it and try again.',
  },
  CLOUD_UNAVAILABLE: {
    message: 'IBM Cloud cannot complete the request right now.',
    hint: 'The service is busy or failing; resume the job in a few minutes.',
  },
  CLOUD_ERROR: {
    message: 'IBM Cloud answered the request with an unexpected error (HTTP {{status}}).',
    hint: 'Try again; if it happens again, report it with the technical detail.',
  },
  CLOUD_TIMEOUT: {
    message: 'IBM Cloud at {{endpoint}} did not answer in time.',
    hint: 'Check the network connection and the endpoint in the profile, then resume the job.',
  },
  CLOUD_UNREACHABLE: {
    message: 'IBM Cloud at {{endpoint}} cannot be reached.',
    hint: 'Check the network connection and the endpoint in the profile (for the sandbox: is it running?), then resume the job.',
  },
  CLOUD_WAIT_TIMEOUT: {
    message: 'Image Sealer stopped waiting for IBM Cloud after {{seconds}} s.',
    hint: 'The request is still going on at IBM Cloud; resume the job later to keep following it (nothing is sent again).',
  },
  CLOUD_RESPONSE_INVALID: {
    message: 'IBM Cloud gave an answer Image Sealer cannot use.',
    hint: 'Resume the job in a few minutes; if it happens again, report it with the technical detail.',
  },
  SANDBOX_SERVICE_MISSING: {
    message: 'The running sandbox has no VPC or classic import service.',
    hint: 'Stop the sandbox and start it again with this version of Image Sealer.',
  },

  // The connection between this page and the app
  HOST_UNREACHABLE: {
    message: 'The app does not answer. Is Image Sealer still running?',
    hint: 'Start Image Sealer again and reload this page with the address it prints.',
  },
  TIMEOUT: {
    message: 'The app took too long to answer.',
    hint: 'Check that Image Sealer is still running, then try again.',
  },

  // Profiles and settings
  PROFILE_NOT_FOUND: {
    message: 'There is no profile named {{name}}.',
    hint: 'Choose a profile listed under Settings, or add one.',
  },
  PROFILE_EXISTS: {
    message: 'A profile named {{name}} exists already.',
    hint: 'Edit that profile, or choose another name.',
  },
  PROFILE_BUILT_IN: {
    message: 'The sandbox profile is built in and cannot be changed or removed.',
    hint: 'Add a profile of your own for an IBM Cloud account.',
  },
  PROFILE_INCOMPLETE: {
    message: 'The profile {{name}} names no key service instance.',
    hint: 'Edit the profile and enter the key service instance id (the GUID of the Key Protect or Hyper Protect Crypto Services instance).',
  },
  SETTINGS_DAMAGED: {
    message: 'The settings file cannot be read.',
    hint: 'Fix or delete the file (the technical detail names it); profiles then start again from the built-in sandbox.',
  },

  // Jobs
  JOB_NOT_FOUND: {
    message: 'There is no job with the id {{jobId}}.',
    hint: 'It may have been deleted; the Jobs page lists the jobs there are.',
  },
  JOB_BUSY: {
    message: 'The job is running.',
    hint: 'Wait for it, or pause it first.',
  },
  JOB_CANCELLED: {
    message: 'The job was cancelled.',
    hint: 'A cancelled job cannot go on; start a new job for this image.',
  },
  JOB_PAUSED: {
    message: 'The step was paused.',
    hint: 'Resume the job to continue; finished work is kept.',
  },
  JOB_NOT_READY: {
    message: 'The job has not finished the steps this one needs.',
    hint: 'Resume the job to finish the earlier steps first.',
  },
  JOB_NOT_SEALED: {
    message: 'The job has no sealed image for this step.',
    hint: 'Seal the image first.',
  },
  JOB_ALREADY_SEALED: {
    message: 'The job is sealed already.',
    hint: 'Its sealed image is at the path shown in the job; start a new job to seal again.',
  },
  INVALID_INPUT: {
    message: 'The app refused the request because some of its values are not valid.',
    hint: 'Check the values you entered; the technical detail names the one refused.',
  },
};

/** Spanish and Italian word exactly these codes, each with a message and a hint. */
export type ErrorTextCatalog = typeof enErrorText;
