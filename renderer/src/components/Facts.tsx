import type { ReactNode } from 'react';

export interface Fact {
  label: string;
  value: ReactNode;
  /** long hex digests, ids and CRNs: monospace, wrapped anywhere */
  mono?: boolean;
  testId?: string;
}

/** A labelled list of what a step found or did: a description list, readable by screen readers. */
export function Facts({ facts, title }: { facts: Fact[]; title?: string }) {
  return (
    <section className="is-facts" aria-label={title}>
      {title && <h3 className="is-facts-title">{title}</h3>}
      <dl>
        {facts.map((fact) => (
          <div className="is-fact" key={fact.label}>
            <dt>{fact.label}</dt>
            <dd className={fact.mono ? 'is-mono' : undefined} data-testid={fact.testId}>
              {fact.value === undefined || fact.value === null || fact.value === '' ? '—' : fact.value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
