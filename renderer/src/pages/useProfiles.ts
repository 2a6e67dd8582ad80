import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../state/api-context';

export type ProfileEntry = Awaited<ReturnType<ReturnType<typeof useApi>['listProfiles']>>['profiles'][number];

/** The profiles main knows (the built-in sandbox first) and the default one. */
export function useProfiles(): {
  profiles: ProfileEntry[];
  defaultProfile: string;
  error: unknown;
  reload: () => void;
} {
  const api = useApi();
  const [profiles, setProfiles] = useState<ProfileEntry[]>([]);
  const [defaultProfile, setDefaultProfile] = useState('sandbox');
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(() => {
    api.listProfiles({}).then(
      (result) => {
        setProfiles(result.profiles);
        setDefaultProfile(result.defaultProfile);
        setError(null);
      },
      (caught: unknown) => setError(caught),
    );
  }, [api]);
  useEffect(reload, [reload]);
  return { profiles, defaultProfile, error, reload };
}
