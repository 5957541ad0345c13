/** Boot: the token from the URL fragment, the kiosk's settings, then the first screen. */
import { render } from 'preact';
import { App } from './app';
import { loadToken } from './api/token';
import { loadSettings } from './state/settings';
import './styles.css';

async function boot(): Promise<void> {
  loadToken();
  await loadSettings();
  const root = document.getElementById('app');
  if (!root) throw new Error('kiosk-ui: #app missing from index.html');
  render(<App />, root);
}

void boot();
