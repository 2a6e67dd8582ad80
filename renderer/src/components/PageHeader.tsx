import type { ReactNode } from 'react';

export function PageHeader({ title, intro, actions }: { title: string; intro?: string; actions?: ReactNode }) {
  return (
    <header className="is-page-header">
      <div>
        <h1 className="is-page-title">{title}</h1>
        {intro && <p className="is-page-intro">{intro}</p>}
      </div>
      {actions && <div className="is-page-actions">{actions}</div>}
    </header>
  );
}
