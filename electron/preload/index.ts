import { contextBridge } from 'electron';

// The full BraidApi bridge comes with the app; nothing but a version is exposed yet.
contextBridge.exposeInMainWorld('braidInfo', { version: '0.1.0' });
