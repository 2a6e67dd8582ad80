import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getApi } from './api';
import { App } from './App';
import { setupI18n } from './i18n';
import { ApiProvider } from './state/api-context';
import './styles/app.scss';

async function start(): Promise<void> {
  await setupI18n();
  const root = createRoot(document.getElementById('root') as HTMLElement);
  let api;
  try {
    api = getApi();
  } catch (error) {
    // Opened without the host's token (e.g. a bookmarked address): say so instead of a blank page.
    root.render(
      <main className="is-fatal">
        <h1>Image Sealer</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
    return;
  }
  root.render(
    <StrictMode>
      <ApiProvider api={api}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
}

void start();
