import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { CONCURRENT_DOWNLOADS, CONNECTIONS, CONNECTIONS_PER_SERVER, MAX_PROXY, MEMORY_BUDGET, PER_DOWNLOAD_MEMORY, TOTAL_CONNECTIONS, type WholeRange } from '../../../shared/limits';
import type { FileCategory } from '../../../shared/file-category';
import { parseByteSize } from '../../../shared/byte-size';
import type { Settings } from '../../../shared/types';
import { joinProxy, noProxyProblem, splitProxy } from '../../../shared/proxy-form';
import { applyTheme, loadTheme, type Theme } from '../theme';
import { BrowserSection } from './settings/BrowserSection';
import { CategoryFolders, checkCategoryFolders, toCategoryFolderFields, type CategoryFolderFields } from './settings/CategoryFolders';
import { folderProblem } from '../../../shared/folder-problem';

const KIB = 1024;
const MIB = 1024 * 1024;

/** The form's fields as typed (text), in the units shown: MiB for memory, KiB/s for speed. */
interface Form {
  folder: string;
  maxConcurrent: string;
  segments: string;
  globalSpeedLimit: string;
  perDownloadMemory: string;
  memoryBudget: string;
  maxConnectionsPerServer: string;
  maxConnections: string;
  /** The proxy URL without its password, which has a field of its own (never shown in clear text). */
  proxy: string;
  proxyPassword: string;
  noProxy: string;
}

const toForm = (s: Settings): Form => ({
  folder: s.folder,
  maxConcurrent: String(s.maxConcurrent),
  segments: String(s.segments),
  globalSpeedLimit: String(Math.round(s.globalSpeedLimit / KIB)),
  perDownloadMemory: String(s.perDownloadMemory / MIB),
  memoryBudget: String(s.memoryBudget / MIB),
  maxConnectionsPerServer: String(s.maxConnectionsPerServer),
  maxConnections: String(s.maxConnections),
  proxy: splitProxy(s.proxy).address,
  proxyPassword: splitProxy(s.proxy).password,
  noProxy: s.noProxy,
});

function whole(text: string, range: WholeRange, scale: number, unit: string): number | string {
  const n = Number(text.trim());
  const value = Math.round(n * scale);
  const lo = range.min / scale;
  const hi = range.max / scale;
  if (text.trim() === '' || !Number.isFinite(n) || value < range.min || value > range.max) {
    return range.max === Number.MAX_SAFE_INTEGER ? `Enter ${lo} or more${unit}.` : `Enter a number from ${lo} to ${hi}${unit}.`;
  }
  if (scale === 1 && !Number.isInteger(n)) return 'Enter a whole number.';
  return value;
}

/** The speed limit as the field says (KiB/s), or written as the Add dialog takes it ("500K", "2M"). */
function speed(text: string): number | string {
  if (!/[kmg]/i.test(text)) return whole(text, { min: 0, max: Number.MAX_SAFE_INTEGER }, KIB, ' KiB/s');
  return parseByteSize(text) ?? 'Enter 0 or more KiB/s, or a speed such as 500K or 2M.';
}

/** Checks every field; each error is written for the person, next to its field. */
function check(f: Form): { patch: Partial<Settings>; errors: Partial<Record<keyof Form, string>> } {
  const errors: Partial<Record<keyof Form, string>> = {};
  const patch: Partial<Settings> = {};
  const folder = f.folder.trim();
  const folderBad = folder === '' ? 'Enter the folder where downloads are saved.' : folderProblem(folder);
  if (folderBad) errors.folder = folderBad;
  else patch.folder = folder;
  const fields: [keyof Form, WholeRange, number, string][] = [
    ['maxConcurrent', CONCURRENT_DOWNLOADS, 1, ''],
    ['segments', CONNECTIONS, 1, ''],
    ['perDownloadMemory', PER_DOWNLOAD_MEMORY, MIB, ' MiB'],
    ['memoryBudget', MEMORY_BUDGET, MIB, ' MiB'],
    ['maxConnectionsPerServer', CONNECTIONS_PER_SERVER, 1, ''],
    ['maxConnections', TOTAL_CONNECTIONS, 1, ''],
  ];
  for (const [key, range, scale, unit] of fields) {
    const v = whole(f[key], range, scale, unit);
    if (typeof v === 'string') errors[key] = v;
    else (patch as Record<string, number>)[key] = v;
  }
  const { perDownloadMemory: one, memoryBudget: all } = patch;
  if (one !== undefined && all !== undefined && one > all) {
    errors.perDownloadMemory = `Keep this at or under the memory for all downloads (${all / MIB} MiB): one download cannot hold more than all of them.`;
    delete patch.perDownloadMemory;
  }
  const limit = speed(f.globalSpeedLimit);
  if (typeof limit === 'string') errors.globalSpeedLimit = limit;
  else patch.globalSpeedLimit = limit;
  const proxy = joinProxy(f.proxy, f.proxyPassword);
  if ('error' in proxy) errors.proxy = proxy.error;
  else if (proxy.proxy.length > MAX_PROXY) errors.proxy = `Keep the proxy address under ${MAX_PROXY} characters.`;
  else patch.proxy = proxy.proxy;
  const noProxy = f.noProxy.trim();
  const noProxyBad = noProxy.length > MAX_PROXY ? `Keep this list under ${MAX_PROXY} characters.` : noProxyProblem(noProxy);
  if (noProxyBad) errors.noProxy = noProxyBad;
  else patch.noProxy = noProxy;
  return { patch, errors };
}

/** The input's own attributes, without the dialog's layout flag. */
const inputProps = ({ wide: _wide, ...rest }: React.InputHTMLAttributes<HTMLInputElement> & { wide?: boolean }) => rest;

/** Settings in sections, saved by the engine (in its database); the theme is kept by this window. */
export function SettingsDialog({ api, inApp, open, onClose, onSaved }: { api: BraidApi; inApp: boolean; open: boolean; onClose: () => void; onSaved: (s: Settings) => void }) {
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [typeFolders, setTypeFolders] = useState<CategoryFolderFields | null>(null);
  const [typeErrors, setTypeErrors] = useState<Partial<Record<FileCategory, string>>>({});
  const [problem, setProblem] = useState('');
  const [theme, setTheme] = useState<Theme>(loadTheme);
  useEffect(() => {
    if (!open) return;
    setErrors({});
    setTypeErrors({});
    setProblem('');
    // Nothing is shown until the engine's settings arrive, so no section starts from the last opening's values.
    setForm(null);
    void api.getSettings().then(
      (s) => (setForm(toForm(s)), setTypeFolders(toCategoryFolderFields(s))),
      (e: Error) => setProblem(e.message),
    );
  }, [api, open]);

  const save = async () => {
    if (!form || !typeFolders) return;
    const { patch, errors } = check(form);
    const { categoryFolders, errors: folderErrors } = checkCategoryFolders(typeFolders);
    setErrors(errors);
    setTypeErrors(folderErrors);
    if (Object.keys(errors).length > 0 || Object.keys(folderErrors).length > 0) {
      // The field in question may be scrolled out of view: the keyboard goes to the first one, and Save says why.
      setProblem('Some settings need a change first: see the fields marked in red.');
      setTimeout(() => document.querySelector<HTMLElement>('.settings-dialog [aria-invalid="true"]')?.focus());
      return;
    }
    setProblem('');
    try {
      onSaved(await api.setSettings({ ...patch, categoryFolders }));
      onClose();
    } catch (error) {
      setProblem(`Braid could not save these settings: ${(error as Error).message}`);
    }
  };
  // The system's folder dialog, in the app; a browser types the folder.
  const browse = async () => {
    if (!form) return;
    const chosen = await api.chooseFolder(form.folder).catch(() => null);
    if (chosen) setForm({ ...form, folder: chosen });
  };
  const field = (key: keyof Form, label: string, unit: string, hint: string, extra: React.InputHTMLAttributes<HTMLInputElement> & { wide?: boolean } = {}) => (
    <label className={`form-field${errors[key] ? ' invalid' : ''}${extra.wide ? ' wide' : ''}`}>
      <span className="field-label" id={`set-${key}-label`}>
        {label}
      </span>
      <span className="with-unit">
        <input
          value={form?.[key] ?? ''}
          onChange={(e) => form && setForm({ ...form, [key]: e.target.value })}
          aria-invalid={errors[key] ? true : undefined}
          aria-describedby={`set-${key}-help`}
          // Named by the label (and unit) alone; the hint or error below is its description.
          aria-labelledby={unit ? `set-${key}-label set-${key}-unit` : `set-${key}-label`}
          {...inputProps(extra)}
        />
        {unit && (
          <span className="unit" id={`set-${key}-unit`}>
            {unit}
          </span>
        )}
        {key === 'folder' && inApp && (
          <button type="button" className="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
      </span>
      <span id={`set-${key}-help`} className={errors[key] ? 'field-error' : 'field-hint'}>
        {errors[key] ?? hint}
      </span>
    </label>
  );
  return (
    <Dialog.Root open={open} onOpenChange={(o) => !o && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog settings-dialog" aria-describedby={undefined}>
          <div className="dialog-head">
            <Dialog.Title>Settings</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label="Close">
              <X size={16} aria-hidden />
            </Dialog.Close>
          </div>
          {form && typeFolders && (
            <div className="settings-sections">
              <section aria-labelledby="set-downloads">
                <h3 id="set-downloads">Downloads</h3>
                {field('folder', 'Save downloads to', '', 'New downloads go here unless you choose another folder when adding, or their type has a folder below.')}
                {field('maxConcurrent', 'Downloads at once', '', `${CONCURRENT_DOWNLOADS.min} to ${CONCURRENT_DOWNLOADS.max}; the rest wait their turn.`)}
                {field('segments', 'Connections per download', '', `${CONNECTIONS.min} to ${CONNECTIONS.max}; more is faster on most servers. Downloads that start after saving use it.`)}
              </section>
              <CategoryFolders
                value={typeFolders}
                onChange={setTypeFolders}
                errors={typeErrors}
                mainFolder={form.folder.trim()}
                onBrowse={inApp ? (start) => api.chooseFolder(start) : undefined}
              />
              <section aria-labelledby="set-speed">
                <h3 id="set-speed">Speed</h3>
                {field('globalSpeedLimit', 'Overall speed limit', 'KiB/s', '0 means no limit; 500K or 2M also work.')}
              </section>
              <section aria-labelledby="set-memory">
                <h3 id="set-memory">Memory</h3>
                {field('perDownloadMemory', 'Memory per download', 'MiB', 'Data held between the network and the disk, per download.')}
                {field('memoryBudget', 'Memory for all downloads', 'MiB', 'Braid never holds more than this in transfer buffers.')}
              </section>
              <section aria-labelledby="set-network">
                <h3 id="set-network">Network</h3>
                {field('maxConnectionsPerServer', 'Connections per server', '', `${CONNECTIONS_PER_SERVER.min} to ${CONNECTIONS_PER_SERVER.max}, over all downloads; fewer if the server allows fewer.`, { inputMode: 'numeric' })}
                {field('maxConnections', 'Connections in all', '', `${TOTAL_CONNECTIONS.min} to ${TOTAL_CONNECTIONS.max}, over every download and server.`, { inputMode: 'numeric' })}
                {field('proxy', 'Proxy', '', 'http://, https:// or socks5://, with host and port; user name optional. Empty: the system’s proxy, if any.', { wide: true, placeholder: 'http://user@proxy:3128', spellCheck: false, autoComplete: 'off' })}
                {field('proxyPassword', 'Proxy password', '', 'Only if the proxy asks for one. Saved with the settings.', { type: 'password', autoComplete: 'off' })}
                {field('noProxy', 'Reach directly, without the proxy', '', 'Hosts separated by commas: localhost, example.com (and its subdomains), 10.0.0.1, intranet:8080, or * for all.', { wide: true, placeholder: 'localhost, .example.com', spellCheck: false })}
              </section>
              <BrowserSection api={api} inApp={inApp} />
              <section aria-labelledby="set-look">
                <h3 id="set-look">Appearance</h3>
                <div className="segmented" role="radiogroup" aria-label="Theme">
                  {(['system', 'light', 'dark'] as const).map((t) => (
                    <label key={t}>
                      <input type="radio" name="theme" checked={theme === t} onChange={() => (setTheme(t), applyTheme(t))} />
                      {t === 'system' ? 'As the system' : t === 'light' ? 'Light' : 'Dark'}
                    </label>
                  ))}
                </div>
              </section>
            </div>
          )}
          {problem && (
            <p className="form-problem" role="alert">
              {problem}
            </p>
          )}
          <div className="dialog-buttons">
            <Dialog.Close className="button">Cancel</Dialog.Close>
            <button className="button primary" onClick={() => void save()}>
              Save
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
