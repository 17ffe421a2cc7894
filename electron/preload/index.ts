import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BraidApi } from '../../shared/api';
import { IPC_CALL, IPC_EVENT, type IpcReply } from '../../shared/ipc';
import type { EngineEvent } from '../../shared/types';
import { bindCommands } from '../../shared/wire';

// Only `window.braid` crosses into the page: one function per BraidApi command and the event subscription.
// ipcRenderer itself never does.
const api = bindCommands(async (method, args) => {
  const reply = (await ipcRenderer.invoke(IPC_CALL, method, args)) as IpcReply;
  if (reply.ok) return reply.value;
  throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
});

const braid: BraidApi = {
  ...api,
  onEvent(listener: (event: EngineEvent) => void) {
    const handler = (_e: IpcRendererEvent, event: EngineEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('braid', braid);
