import { Fragment } from 'react';

/**
 * A long machine name — an endpoint URL, an object key, a bucket — in monospace, with a line-break opportunity
 * after each dot, slash, hyphen and underscore: it wraps there, and inside a word only when nothing else fits.
 */
export function WrappingName({ text }: { text: string }) {
  const parts = text.split(/(?<=[./_-])/);
  return (
    <span className="is-mono is-wrapping-name">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
