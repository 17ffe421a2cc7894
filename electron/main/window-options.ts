import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The Braid window's options: the page is isolated from the preload, sandboxed, has no Node, keeps web
 * security and never runs insecure content. Kept apart from the window so a test can read them without Electron.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 760,
    title: 'Braid',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  };
}
