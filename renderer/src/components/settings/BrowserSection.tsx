import { Check, Copy, Link2, Unlink } from 'lucide-react';
import { useRef, useState } from 'react';
import type { BraidApi } from '../../../../shared/api';
import { BROWSERS, type BrowserName } from '../../../../shared/browser-bridge';
import { withoutCommand } from '../../../../shared/status-words';

const BROWSER_LABELS: Record<BrowserName, string> = {
  chromium: 'Chromium',
  chrome: 'Google Chrome',
  brave: 'Brave',
  edge: 'Microsoft Edge',
  firefox: 'Firefox',
};

type Action = 'install' | 'uninstall';

/** The last Connect or Disconnect: under way, done (with the host file's path), or refused with why. */
type Outcome = { kind: 'idle' } | { kind: 'busy'; action: Action } | { kind: 'done'; action: Action; browser: BrowserName; path: string } | { kind: 'error'; action: Action; browser: BrowserName; message: string };

/**
 * "Browser": registers the extension's host with a browser so the extension can hand its downloads over. The
 * app does it itself; a browser page cannot (the engine refuses it outside the app), so it shows the command.
 */
export function BrowserSection({ api, inApp }: { api: BraidApi; inApp: boolean }) {
  const [browser, setBrowser] = useState<BrowserName>('chromium');
  const host = useBrowserHost(api);
  const busy = host.outcome.kind === 'busy';
  return (
    <section aria-labelledby="set-browser" className="browser-section">
      <h3 id="set-browser">Browser</h3>
      <p className="field-hint">Braid’s browser extension hands the downloads the browser starts to Braid. Connect each browser you use it in, once.</p>
      <div className="browser-row">
        <label className="browser-choice">
          <span className="field-label">Browser</span>
          <select value={browser} onChange={(e) => setBrowser(e.target.value as BrowserName)}>
            {BROWSERS.map((b) => (
              <option key={b} value={b}>
                {BROWSER_LABELS[b]}
              </option>
            ))}
          </select>
        </label>
        {inApp && (
          <>
            <button type="button" className="button" disabled={busy} onClick={() => void host.run(browser, 'install')}>
              <Link2 size={15} aria-hidden /> Connect
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => void host.run(browser, 'uninstall')}>
              <Unlink size={15} aria-hidden /> Disconnect
            </button>
          </>
        )}
      </div>
      {inApp ? <ConnectOutcome outcome={host.outcome} /> : <ConnectCommand browser={browser} />}
      <p className="field-hint">
        The extension itself: <code>npm run build</code> in Braid’s source folder writes it to <code>out/extension</code>; load that folder unpacked
        (chrome://extensions, developer mode, “Load unpacked”; in Firefox, about:debugging, “Load Temporary Add-on…” and its manifest.json). Its popup says “Braid is
        ready” once the browser is connected.
      </p>
    </section>
  );
}

/** Connect (install) or Disconnect (uninstall) through the app, and what became of the last one. */
function useBrowserHost(api: BraidApi) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  // Only the latest request speaks: an earlier answer arriving late would overwrite what the person just asked.
  const request = useRef(0);
  const run = async (browser: BrowserName, action: Action) => {
    const asked = ++request.current;
    setOutcome({ kind: 'busy', action });
    try {
      const path = await api.browserHost(browser, action);
      if (asked === request.current) setOutcome({ kind: 'done', action, browser, path });
    } catch (error) {
      if (asked === request.current) setOutcome({ kind: 'error', action, browser, message: withoutCommand((error as Error).message).replace(/\.$/, '') });
    }
  };
  return { outcome, run };
}

function ConnectOutcome({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'idle') return null;
  if (outcome.kind === 'busy') {
    return (
      <p className="browser-outcome" role="status">
        {outcome.action === 'install' ? 'Connecting…' : 'Disconnecting…'}
      </p>
    );
  }
  const name = BROWSER_LABELS[outcome.browser];
  if (outcome.kind === 'error') {
    return (
      <p className="browser-outcome refused" role="alert">
        Braid could not {outcome.action === 'install' ? 'connect' : 'disconnect'} {name}: {outcome.message}.
      </p>
    );
  }
  return (
    <p className="browser-outcome ok" role="status">
      {outcome.action === 'install' ? `${name} is connected: its extension can now hand downloads to Braid.` : `${name} is disconnected: its extension no longer reaches Braid.`}{' '}
      <span className="path">{outcome.action === 'install' ? 'Written: ' : 'Removed: '}{outcome.path}</span>
    </p>
  );
}

/** In a browser page: the command that does what Connect does in the app, ready to copy. */
function ConnectCommand({ browser }: { browser: BrowserName }) {
  const command = `braid browser-host install --browser ${browser}`;
  const [copied, setCopied] = useState('');
  // The clipboard exists on secure pages only (https, or this computer's own address); the command can be selected anyway.
  const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
  const copy = () =>
    void clipboard?.writeText(command).then(
      () => setCopied(command),
      () => setCopied(''),
    );
  return (
    <div className="browser-command">
      <p className="field-hint">The desktop app connects a browser itself. Here, run this in a terminal on the computer where Braid runs, as the same user:</p>
      <div className="command-line">
        <code>{command}</code>
        {clipboard && (
          <button type="button" className="button" onClick={copy}>
            {copied === command ? <Check size={15} aria-hidden /> : <Copy size={15} aria-hidden />} {copied === command ? 'Copied' : 'Copy'}
          </button>
        )}
      </div>
      <p className="field-hint">
        If <code>braid serve</code> was started with <code>--db FILE</code>, add the same <code>--db FILE</code>. To disconnect: <code>braid browser-host uninstall --browser {browser}</code>.
      </p>
    </div>
  );
}
