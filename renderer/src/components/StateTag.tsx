import { Tag } from '@carbon/react';
import { useTranslation } from 'react-i18next';

type TagType = 'gray' | 'blue' | 'cyan' | 'teal' | 'green' | 'purple' | 'red' | 'magenta' | 'warm-gray' | 'cool-gray';

const TAG_TYPES: Record<string, TagType> = {
  created: 'gray',
  sealed: 'blue',
  wrapped: 'purple',
  uploaded: 'cyan',
  imported: 'green',
  provisioned: 'teal',
  failed: 'red',
  cancelled: 'warm-gray',
  running: 'magenta',
};

export function StateTag({ state, running = false }: { state: string; running?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="is-state-tags">
      <Tag type={TAG_TYPES[state] ?? 'gray'} size="sm" data-state={state}>
        {t(`state.${state}`, { defaultValue: state })}
      </Tag>
      {running && (
        <Tag type="magenta" size="sm" data-state="running">
          {t('state.running')}
        </Tag>
      )}
    </span>
  );
}
