/** The app's pages, addressed by the URL hash so reloads and the browser's back button work on both hosts. */
export type Route =
  | { page: 'jobs' }
  | { page: 'job'; jobId: string }
  | { page: 'new'; jobId?: string }
  | { page: 'upload' }
  | { page: 'keys' }
  | { page: 'settings' }
  | { page: 'audit' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'jobs':
      return parts[1] ? { page: 'job', jobId: parts[1] } : { page: 'jobs' };
    case 'new':
      return parts[1] ? { page: 'new', jobId: parts[1] } : { page: 'new' };
    case 'upload':
      return { page: 'upload' };
    case 'keys':
      return { page: 'keys' };
    case 'settings':
      return { page: 'settings' };
    case 'audit':
      return { page: 'audit' };
    default:
      return { page: 'jobs' };
  }
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'job':
      return `#/jobs/${encodeURIComponent(route.jobId)}`;
    case 'new':
      return route.jobId ? `#/new/${encodeURIComponent(route.jobId)}` : '#/new';
    default:
      return `#/${route.page}`;
  }
}
