import type { BraidApi } from '../../shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser, where the WebSocket client stands in. */
    braid?: BraidApi;
  }
}
