import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getBraidApi } from './api/index';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
getBraidApi().then(
  (api) => root.render(<App api={api} />),
  (error: Error) => root.render(<p className="fatal">Cannot reach the Braid engine: {error.message}</p>),
);
