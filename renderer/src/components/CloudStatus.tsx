import { cloudStatusView } from '../format/cloud-status';
import { useCatalogLookup } from '../i18n/catalog-lookup';

/** An image's or instance's state in the page's language, IBM's own word in `data-status` and the tooltip. */
export function CloudStatus({ kind, status }: { kind: 'image' | 'instance'; status: string }) {
  const { lookup } = useCatalogLookup();
  const view = cloudStatusView(kind, status, lookup);
  return (
    <span data-status={view.status} title={view.label === view.status ? undefined : view.status}>
      {view.label}
    </span>
  );
}
