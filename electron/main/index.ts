import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, session, shell, Tray } from 'electron';
import { join } from 'node:path';
import { listenForHandoffs } from '../bridge/handoff-server';
import { formatRate } from '../../shared/format';
import { IPC_CALL, IPC_EVENT } from '../../shared/ipc';
import { createEngine, proxyFromPacResult, type Engine } from '../engine/index';
import { describeStoreFailure, openDatabase } from '../store/database';
import { SqliteDownloadRepository } from '../store/download-repository';
import { acquireEngineLock } from '../store/engine-lock';
import { registerBrowserHost } from './browser-host-registration';
import { handleCall, urlsFromArgv } from './ipc-handlers';
import { createMainWindow, ICON_DATA_URL, rendererOrigin } from './window';

// File writes and syncs of every download share libuv's pool; read when the pool starts, so set it first.
process.env['UV_THREADPOOL_SIZE'] ??= '8';

let engine: Engine | null = null;
let window: BrowserWindow | null = null;
let tray: Tray | null = null;
const origin = rendererOrigin();

function showWindow(): void {
  if (!window || window.isDestroyed()) window = createMainWindow(origin);
  if (window.isMinimized()) window.restore();
  window.focus();
}

function addFromArgv(argv: readonly string[]): void {
  const urls = urlsFromArgv(argv);
  if (urls.length > 0) void engine?.add(urls.map((url) => ({ url })));
}

async function start(): Promise<void> {
  const dbPath = join(app.getPath('userData'), 'braid.db');
  const db = openDatabase(dbPath);
  const lock = acquireEngineLock(dbPath, 'let it finish or stop it (Ctrl-C in its terminal), then open Braid again');
  // The desktop shell opens completed files; the engine looks their paths up in the store by id.
  engine = createEngine({
    repo: new SqliteDownloadRepository(db),
    shell: {
      openFile: (path) => shell.openPath(path),
      showInFolder: (path) => shell.showItemInFolder(path),
      chooseFolder: async (start) => {
        const chosen = await dialog.showOpenDialog({ defaultPath: start, properties: ['openDirectory', 'createDirectory'] });
        return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
      },
      browserHost: async (browser, action) => registerBrowserHost(browser, action, dbPath),
    },
    // The system's proxy settings as Chromium reads them (PAC scripts and auto-detection included).
    systemProxy: async (url) => proxyFromPacResult(await session.defaultSession.resolveProxy(url)),
  });
  const running = engine;
  ipcMain.handle(IPC_CALL, (event, method: unknown, args: unknown) => handleCall(running, origin, event.senderFrame?.url, method, args));

  tray = new Tray(nativeImage.createFromDataURL(ICON_DATA_URL));
  tray.setToolTip('Braid');
  tray.setContextMenu(Menu.buildFromTemplate([{ label: 'Show Braid', click: showWindow }, { role: 'quit' }]));
  tray.on('click', showWindow);

  running.onEvent((event) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT, event);
    if (event.type === 'snapshot') tray?.setToolTip(`Braid — ${formatRate(event.global.speed)}, ${event.global.active} active`);
    if (event.type === 'completed' && Notification.isSupported()) new Notification({ title: 'Download complete', body: event.name }).show();
    if (event.type === 'failed' && Notification.isSupported()) new Notification({ title: 'Download failed', body: event.name ? `${event.name}: ${event.error.message}` : event.error.message }).show();
  });

  // The browser extension's downloads come in through `braid browser-host` and this local socket; without it
  // the host queues them into the database for the next start.
  const handoffs = await listenForHandoffs(running, dbPath).catch(() => null);

  // Quitting pauses every download as a shutdown (they resume next launch) after a last checkpoint.
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void Promise.allSettled([handoffs?.close(), running.close()]).finally(() => {
      db.close();
      lock.release();
      app.exit(0);
    });
  });

  running.start();
  addFromArgv(process.argv);
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch (e.g. `braid https://…` from a browser) hands its URLs to this one.
  app.on('second-instance', (_event, argv) => {
    addFromArgv(argv);
    showWindow();
  });
  app.on('window-all-closed', () => {
    // The queue keeps running in the tray; quit from the tray menu.
  });
  app.on('activate', showWindow);
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // A database that cannot be used (another Braid downloading from it, damaged, from a newer Braid) is
      // left as it is; the person is told why the window did not open.
      dialog.showErrorBox('Braid cannot start', describeStoreFailure(error) ?? String((error as Error)?.stack ?? error));
      app.exit(1);
    });
}
