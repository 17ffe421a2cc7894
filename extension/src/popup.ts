// The popup (also the options page): the threshold, taking over on or off, the sites left to the browser, whether
// Braid answers, and what was handed over lately.
import { recentActivity } from './activity';
import { askBraid } from './bridge';
import { parseSites, settingsFrom } from './settings';

const MIB = 1024 * 1024;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function showSettings(): Promise<void> {
  const s = settingsFrom(await chrome.storage.local.get(null));
  $<HTMLInputElement>('takeOver').checked = s.takeOver;
  $<HTMLInputElement>('threshold').value = String(Math.round((s.thresholdBytes / MIB) * 10) / 10);
  $<HTMLTextAreaElement>('sites').value = s.sitesLeftToBrowser.join('\n');
}

async function save(): Promise<void> {
  const mib = Number($<HTMLInputElement>('threshold').value);
  await chrome.storage.local.set({
    takeOver: $<HTMLInputElement>('takeOver').checked,
    thresholdBytes: Number.isFinite(mib) && mib >= 0 ? Math.round(mib * MIB) : MIB,
    sitesLeftToBrowser: parseSites($<HTMLTextAreaElement>('sites').value),
  });
}

async function showStatus(): Promise<void> {
  const status = $('status');
  const reply = await askBraid({ type: 'ping' });
  status.textContent = reply.ok ? 'Braid is ready' : 'Braid not found';
  status.className = `status ${reply.ok ? 'ok' : 'bad'}`;
  status.title = reply.ok ? '' : reply.reason;
}

async function showActivity(): Promise<void> {
  const list = $('activity');
  const entries = await recentActivity();
  if (entries.length === 0) return;
  list.replaceChildren(
    ...entries.map((e) => {
      const li = document.createElement('li');
      const mark = Object.assign(document.createElement('span'), { className: `mark ${e.ok ? 'ok' : 'bad'}`, textContent: e.ok ? '✓' : '✗' });
      const name = Object.assign(document.createElement('span'), { className: 'name', textContent: e.name, title: e.name });
      const note = Object.assign(document.createElement('span'), { className: 'note', textContent: e.note });
      li.append(mark, name, note);
      return li;
    }),
  );
}

$('settings').addEventListener('change', () => void save());
$('settings').addEventListener('submit', (e) => e.preventDefault());
void showSettings();
void showStatus();
void showActivity();
