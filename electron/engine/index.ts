// The engine's public surface: everything the CLI, the server and the app may use.
export { createEngine, Engine, type DesktopShell, type EngineDeps, type StartOptions } from './engine';
export type { DownloadRepository, FileSystemPort, PartFileHandle, NewDownload, DownloadPatch } from './ports';
export { nodeFileSystem } from './part-file';
export { BraidError } from './errors';
export { parseUrlList, type ListItem } from './url-list';
export { readLines, type Line } from './line-reader';
export { parseChecksum } from './checksum';
export { parseByteSize } from '../../shared/byte-size';
export { DEFAULT_SETTINGS, DEFAULT_TIMING, type Timing } from './settings';
