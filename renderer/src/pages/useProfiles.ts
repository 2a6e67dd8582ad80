import { useCallback, useEffect, useState } from 'react';
import { asList, optionalCall, str, type Loose } from '../api/optional-calls';
import { useApi } from '../state/api-context';

export interface ProfileView {
  name: string;
  raw: Loose;
}

/** The profiles main knows, or just the built-in sandbox when this build has no profiles call. */
export function useProfiles(): ProfileView[] & { reload?: () => void } {
  const api = useApi();
  const [profiles, setProfiles] = useState<ProfileView[]>([{ name: 'sandbox', raw: { name: 'sandbox' } }]);
  const load = useCallback(() => {
    const call = optionalCall(api, 'listProfiles');
    if (!call) return;
    call({})
      .then((result) => {
        const list = asList(result, 'profiles')
          .map((raw) => ({ name: str(raw, 'name', 'id') ?? '', raw }))
          .filter((profile) => profile.name);
        if (list.length) setProfiles(list);
      })
      .catch(() => undefined);
  }, [api]);
  useEffect(load, [load]);
  return Object.assign(profiles, { reload: load });
}
