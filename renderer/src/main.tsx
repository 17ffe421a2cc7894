import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConnectError } from './api/connection';
import { getBraidApi } from './api/index';
import { SecretPage } from './components/SecretPage';
import './styles.css';
import { applyTheme, loadTheme } from './theme';

applyTheme(loadTheme());
const root = createRoot(document.getElementById('root')!);
getBraidApi().then(
  ({ api, connection, inApp }) => root.render(<App api={api} connection={connection} inApp={inApp} />),
  (error: Error) => root.render(<SecretPage reason={error instanceof ConnectError ? error.reason : 'unreachable'} />),
);
