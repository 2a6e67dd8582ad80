import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getApi } from './api';

function Bootstrap() {
  const api = getApi();
  return <p>Image Sealer ({api.transport})</p>;
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Bootstrap />
  </StrictMode>,
);
