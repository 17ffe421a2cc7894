import { useEffect, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { CONCURRENT_DOWNLOADS, CONNECTIONS } from '../../../shared/limits';
import type { Settings } from '../../../shared/types';

const MIB = 1024 * 1024;

/** Default folder, concurrency, segments, global speed limit and memory budget; saved by the engine. */
export function SettingsPanel({ api, onClose }: { api: BraidApi; onClose: () => void }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => void api.getSettings().then(setSettings), [api]);
  if (!settings) return null;
  const number = (key: keyof Settings, scale = 1) => ({
    value: String(Number(settings[key]) / scale),
    onChange: (e: { target: { value: string } }) => setSettings({ ...settings, [key]: Math.round(Number(e.target.value) * scale) }),
  });
  const save = async () => {
    try {
      setSettings(await api.setSettings(settings));
      setMessage('Saved');
    } catch (error) {
      setMessage((error as Error).message);
    }
  };
  return (
    <section className="panel" aria-label="Settings">
      <h2>Settings</h2>
      <label>
        Default folder <input value={settings.folder} onChange={(e) => setSettings({ ...settings, folder: e.target.value })} />
      </label>
      <label>
        Downloads at once <input type="number" min={CONCURRENT_DOWNLOADS.min} max={CONCURRENT_DOWNLOADS.max} {...number('maxConcurrent')} />
      </label>
      <label>
        Segments per download <input type="number" min={CONNECTIONS.min} max={CONNECTIONS.max} {...number('segments')} />
      </label>
      <label>
        Speed limit, MiB/s (0 = none) <input type="number" min={0} step="0.5" {...number('globalSpeedLimit', MIB)} />
      </label>
      <label>
        Memory budget, MiB <input type="number" min={1} {...number('memoryBudget', MIB)} />
      </label>
      <div className="buttons">
        <button onClick={() => void save()}>Save</button>
        <button onClick={onClose}>Close</button>
        <span role="status">{message}</span>
      </div>
    </section>
  );
}
