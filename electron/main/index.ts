import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';

// The desktop app proper (engine over IPC, tray, notifications) comes next; this opens a locked-down window.
function createWindow(): void {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    title: 'Braid',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  if (process.env['ELECTRON_RENDERER_URL']) void window.loadURL(process.env['ELECTRON_RENDERER_URL']);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(createWindow);
app.on('window-all-closed', () => app.quit());
