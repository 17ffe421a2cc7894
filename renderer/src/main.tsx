import { createRoot } from 'react-dom/client';
import { formatBytes } from '../../shared/format';

function App() {
  return (
    <main style={{ fontFamily: 'system-ui', padding: 24 }}>
      <h1>Braid</h1>
      <p>The download queue appears here. Memory budget: {formatBytes(64 * 1024 * 1024)}.</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
