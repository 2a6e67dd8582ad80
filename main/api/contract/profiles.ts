/**
 * The profile rules the renderer's profile form shares with main: IBM's public endpoints of a region, the field
 * schemas and how an edit is merged. Re-exported here because the renderer may take values from the contract
 * only; main/profiles/profile.ts depends on nothing but zod.
 */
export {
  HttpUrlSchema,
  IBM_REGIONS,
  ibmCloudProfileFields,
  isSandboxProfile,
  mergeProfilePatch,
  ProfileNameSchema,
  RegionSchema,
  type Profile,
  type ProfilePatch,
} from '../../profiles/profile';
