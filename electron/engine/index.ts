// The engine's public surface: everything the CLI, the server and the app may use.
export { createEngine, Engine } from './engine';
export { findQueued, type EarlierRun } from './run-again';
export type { DesktopShell, EngineDeps, StartOptions } from './engine-deps';
export type { Clock, DownloadRepository, FileSystemPort, PartFileHandle, NewDownload, DownloadPatch } from './ports';
export { systemClock } from './system-clock';
export { proxyFromEnvironment, proxyFromPacResult, type SystemProxy } from './proxy/system-proxy';
export { nodeFileSystem } from './part-file';
export { BraidError, toWireError } from './errors';
import type { checkArgs as CheckArgs, dispatch as Dispatch } from './api-dispatch';

/**
 * Checks a face's call against the API's schemas and runs it. The schemas (and their library) load with the
 * first call, so a process that never takes calls from a face (`braid get`) never loads them.
 */
export async function dispatch(...args: Parameters<typeof Dispatch>): ReturnType<typeof Dispatch> {
  return (await import('./api-dispatch')).dispatch(...args);
}
/** A command's arguments checked by its schema, as `dispatch` checks them (the schemas load with the first call). */
export async function checkArgs<M extends Parameters<typeof CheckArgs>[0]>(method: M, args: unknown): Promise<ReturnType<typeof CheckArgs<M>>> {
  return (await import('./api-dispatch')).checkArgs(method, args);
}
export { parseUrlList, type ListItem } from './url-list';
export { readLines, type Line } from './line-reader';
export { parseChecksum } from './checksum';
export { sanitizeFilename } from './filename';
export { bytesContinuable } from './resume-decision';
export { parseByteSize } from '../../shared/byte-size';
export { DEFAULT_SETTINGS, DEFAULT_TIMING, type Timing } from './settings';
