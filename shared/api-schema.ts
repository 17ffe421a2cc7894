import { folderProblem } from './folder-problem';
import { z } from 'zod';
import { BROWSERS } from './browser-bridge';
import { FILE_CATEGORIES, type FileCategory } from './file-category';
import { CHECKSUM_ALGORITHMS, checksumProblem } from './checksum';
import {
  CONCURRENT_DOWNLOADS,
  CONNECTIONS,
  CONNECTIONS_PER_SERVER,
  DOWNLOAD_ID,
  FILE_SIZE,
  HEADER_NAME,
  HEADER_VALUE,
  LIST_LIMIT,
  LIST_OFFSET,
  MAX_BATCH,
  MAX_FOLDER,
  MAX_HEADER_NAME,
  MAX_HEADER_VALUE,
  MAX_HEADERS,
  MAX_LIST_TEXT,
  MAX_MIRRORS,
  MAX_NAME,
  MAX_PREVIEW,
  MAX_PROXY,
  MAX_URL,
  MEMORY_BUDGET,
  PER_DOWNLOAD_MEMORY,
  PRIORITY,
  rangeMessage,
  SEARCH_LENGTH,
  SPEED_LIMIT,
  TOTAL_CONNECTIONS,
  type WholeRange,
} from './limits';
import { proxyProblem } from './proxy-url';
import type { AddRequest, DownloadStatus, SortKey } from './types';
import type { ApiArgs, ApiMethod } from './wire';

// The arguments of every BraidApi command, checked once, here. Dispatch (the app's IPC and `braid serve`) parses
// each call with these schemas before the engine sees it; the argument types are inferred from them and checked
// against BraidApi below. Each schema carries its own message in plain words; `describeIssue` says where.

export const DOWNLOAD_STATUSES: readonly DownloadStatus[] = ['queued', 'active', 'paused', 'completed', 'failed'];
export const SORT_KEYS: readonly SortKey[] = ['position', 'name', 'size', 'status', 'added'];

const count = (n: number) => n.toLocaleString('en-US');
const oneOf = (values: readonly string[]) => (values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`);

function whole(what: string, range: WholeRange) {
  const error = rangeMessage(what, range);
  return z.int({ error }).min(range.min, { error }).max(range.max, { error });
}

function text(what: string, max: number) {
  const error = `${what} must be text of at most ${count(max)} characters`;
  return z.string({ error }).max(max, { error });
}

/** A folder downloads go to: a whole path, as the engine takes it (it never resolves one against its own folder). */
function fullPath(what: string) {
  return text(what, MAX_FOLDER).superRefine((folder, ctx) => {
    const problem = folderProblem(folder);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what}: ${problem}` });
  });
}

function yesNo(what: string) {
  return z.boolean({ error: `${what} must be true or false` });
}

function choice<const T extends readonly string[]>(what: string, values: T) {
  return z.enum(values, { error: `${what} must be ${oneOf(values)}` });
}

/** An object that refuses fields it does not know, so a typo is an error and not a silently ignored option. */
function strict<T extends z.core.$ZodLooseShape>(what: string, shape: T, form = 'an object', unknownField = (key: string) => `unknown field ${key} in ${what}`) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => unknownField(JSON.stringify(preview(k)))).join('; ') : `${what} must be ${form}`,
  });
}

const downloadId = whole('a download id', DOWNLOAD_ID);
const ids = z
  .array(downloadId, { error: `ids must be a list of at most ${count(MAX_BATCH)} download ids` })
  .max(MAX_BATCH, { error: `ids must be a list of at most ${count(MAX_BATCH)} download ids` });

const checksum = strict('the checksum', {
  algorithm: choice('the checksum algorithm', CHECKSUM_ALGORITHMS),
  hex: z.string({ error: 'the checksum digest must be hex digits' }),
}, '{ algorithm, hex }')
  .superRefine((c, ctx) => {
    const problem = checksumProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['hex'] });
  })
  .transform((c) => ({ algorithm: c.algorithm, hex: c.hex.toLowerCase() }));

const headerError = `headers must be an object of at most ${MAX_HEADERS} "Name": "value" pairs`;
const headers = z
  .record(
    z
      .string()
      .max(MAX_HEADER_NAME, { error: `a header name is at most ${MAX_HEADER_NAME} characters` })
      .regex(HEADER_NAME, { error: (issue) => `${JSON.stringify(preview(issue.input))} is not a valid header name` }),
    z
      .string({ error: 'a header value must be text' })
      .max(MAX_HEADER_VALUE, { error: `a header value is at most ${count(MAX_HEADER_VALUE)} characters` })
      .regex(HEADER_VALUE, { error: 'a header value cannot contain a line break' }),
    { error: headerError },
  )
  .refine((h) => Object.keys(h).length <= MAX_HEADERS, { error: headerError });

/** A proxy URL, or '' for none. */
const proxyUrl = text('the proxy', MAX_PROXY).superRefine((value, ctx) => {
  const problem = proxyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const downloadOptions = strict('the download options', {
  maxPerServer: whole('connections per server', CONNECTIONS_PER_SERVER).optional(),
  proxy: proxyUrl.optional(),
  segments: whole('connections per download', CONNECTIONS).optional(),
  speedLimit: whole('the speed limit (bytes per second)', SPEED_LIMIT).optional(),
  checksum: checksum.optional(),
  headers: headers.optional(),
});

const addRequest = strict('a download', {
  url: text('the URL', MAX_URL),
  mirrors: z
    .array(text('a mirror URL', MAX_URL), { error: `mirrors must be a list of at most ${MAX_MIRRORS} URLs` })
    .max(MAX_MIRRORS, { error: `mirrors must be a list of at most ${MAX_MIRRORS} URLs` })
    .optional(),
  // Not checked as a whole path here: a list's `dir=` lines come this way too, relative to the command's folder.
  folder: text('the folder', MAX_FOLDER).optional(),
  name: text('the file name', MAX_NAME).optional(),
  options: downloadOptions.optional(),
  paused: yesNo('paused').optional(),
  priority: whole('the priority', PRIORITY).optional(),
  expectedSize: whole('the expected size (bytes)', FILE_SIZE).optional(),
}, 'an object such as { url }');

const listQuery = strict('the list query', {
  status: z
    .array(choice('a status', DOWNLOAD_STATUSES), { error: `status must be a list of ${oneOf(DOWNLOAD_STATUSES)}` })
    .max(DOWNLOAD_STATUSES.length, { error: `status must list each of ${oneOf(DOWNLOAD_STATUSES)} at most once` })
    .optional(),
  offset: whole('the offset', LIST_OFFSET).optional(),
  limit: whole('the page size (limit)', LIST_LIMIT).default(LIST_LIMIT.default),
  category: choice('the category', FILE_CATEGORIES).optional(),
  search: text('the search', SEARCH_LENGTH).optional(),
  sort: choice('sort', SORT_KEYS).optional(),
  descending: yesNo('descending').optional(),
}).prefault({});

/** A settings change: any subset of Settings, each within its bounds (the engine checks it again when it merges). */
export const settingsPatch = strict(
  'settings',
  {
    folder: text('the default folder', MAX_FOLDER)
      .refine((f) => f.trim() !== '', { error: 'the default folder must be a path' })
      .optional(),
    maxConcurrent: whole('downloads at once', CONCURRENT_DOWNLOADS).optional(),
    segments: whole('connections per download', CONNECTIONS).optional(),
    globalSpeedLimit: whole('the overall speed limit (bytes per second)', SPEED_LIMIT).optional(),
    perDownloadMemory: whole('memory per download (bytes)', PER_DOWNLOAD_MEMORY).optional(),
    memoryBudget: whole('the memory budget (bytes)', MEMORY_BUDGET).optional(),
    maxConnectionsPerServer: whole('connections per server', CONNECTIONS_PER_SERVER).optional(),
    maxConnections: whole('connections in all', TOTAL_CONNECTIONS).optional(),
    proxy: proxyUrl.optional(),
    noProxy: text('the no-proxy list', MAX_PROXY).optional(),
    categoryFolders: strict(
      'folders by file type',
      Object.fromEntries(FILE_CATEGORIES.map((c) => [c, text(`the folder for ${c}`, MAX_FOLDER).optional()])) as Record<FileCategory, z.ZodOptional<z.ZodString>>,
      'an object of folders by file type',
      (key) => `there is no file type called ${key}`,
    ).optional(),
  },
  'an object',
  (key) => `unknown setting ${key}`,
);

/** How an argument list itself is refused (not a list, an argument too many or too few): what the command takes. */
function takes(method: ApiMethod, signature: string) {
  return { error: `${method} takes ${signature}` };
}

const downloads = z
  .array(addRequest, { error: `add needs a list of 1 to ${count(MAX_BATCH)} downloads` })
  .min(1, { error: `add needs a list of 1 to ${count(MAX_BATCH)} downloads` })
  .max(MAX_BATCH, { error: `add needs a list of 1 to ${count(MAX_BATCH)} downloads` });

const previewUrls = z
  .array(text('the URL', MAX_URL), { error: `preview needs a list of 1 to ${MAX_PREVIEW} URLs` })
  .min(1, { error: `preview needs a list of 1 to ${MAX_PREVIEW} URLs` })
  .max(MAX_PREVIEW, { error: `preview needs a list of 1 to ${MAX_PREVIEW} URLs` });

const listText = z
  .string({ error: 'the list must be text' })
  .max(MAX_LIST_TEXT, { error: `the list is longer than ${MAX_LIST_TEXT / 1024 / 1024} MiB; import it with \`braid add -i FILE\`, which streams` });

const importDefaults = strict('the import options', { folder: fullPath('the folder').optional(), paused: yesNo('paused').optional() }).prefault({});

const refreshOptions = strict(
  'the options of refreshLink',
  { startOver: yesNo('startOver').optional(), headers: headers.optional() },
  '{ startOver: true or false, headers }',
).prefault({});

const removeOptions = strict('the options of remove', { deleteFile: yesNo('deleteFile') }, '{ deleteFile: true or false }');

/** Each BraidApi command's arguments. A command missing here fails to compile. */
export const API_SCHEMAS = {
  add: z.tuple([downloads], takes('add', 'a list of downloads')),
  preview: z.tuple([previewUrls], takes('preview', 'a list of URLs')),
  importList: z.tuple([listText, importDefaults], takes('importList', 'the text of a list and { folder, paused }')),
  pause: z.tuple([ids], takes('pause', 'a list of download ids')),
  resume: z.tuple([ids], takes('resume', 'a list of download ids')),
  retry: z.tuple([ids], takes('retry', 'a list of download ids')),
  remove: z.tuple([ids, removeOptions], takes('remove', 'a list of download ids and { deleteFile: true or false }')),
  refreshLink: z.tuple(
    [downloadId, text('the new URL', MAX_URL), refreshOptions],
    takes('refreshLink', 'a download id, the new URL and { startOver: true or false, headers }'),
  ),
  catchLink: z.tuple([downloadId], takes('catchLink', 'a download id')),
  cancelCatch: z.tuple([downloadId], takes('cancelCatch', 'a download id')),
  move: z.tuple([downloadId, choice('the direction', ['up', 'down', 'top', 'bottom'])], takes('move', 'a download id and up, down, top or bottom')),
  list: z.tuple([listQuery], takes('list', 'one query { status, category, search, offset, limit, sort, descending }')),
  detail: z.tuple([downloadId], takes('detail', 'a download id')),
  open: z.tuple([downloadId, choice('what to open', ['file', 'folder'])], takes('open', 'a download id and "file" or "folder"')),
  chooseFolder: z.tuple([text('the folder to start from', MAX_FOLDER)], takes('chooseFolder', 'the folder to start from')),
  browserHost: z.tuple(
    [choice('the browser', BROWSERS), choice('what to do', ['install', 'uninstall'])],
    takes('browserHost', 'a browser and "install" or "uninstall"'),
  ),
  getSettings: z.tuple([], takes('getSettings', 'no arguments')),
  setSettings: z.tuple([settingsPatch], takes('setSettings', 'the settings to change')),
} satisfies { [M in ApiMethod]: z.ZodType<unknown, unknown> };

export type ApiSchemas = typeof API_SCHEMAS;
/** The arguments of `M` after checking: what the engine receives. */
export type ParsedArgs<M extends ApiMethod> = z.output<ApiSchemas[M]>;

// Compile-time agreement with BraidApi: what a schema lets through is what the engine's method takes, and every
// call BraidApi allows passes the schema's types. A disagreeing method is named in the compiler's error.
type Agrees<M extends ApiMethod> = [ParsedArgs<M>] extends [ApiArgs<M>] ? ([ApiArgs<M>] extends [z.input<ApiSchemas[M]>] ? true : false) : false;
type Disagreeing = { [M in ApiMethod]: Agrees<M> extends true ? never : M }[ApiMethod];
const schemasAgreeWithBraidApi: Record<Disagreeing, 'its schema disagrees with BraidApi'> = {};
void schemasAgreeWithBraidApi;

// ---- messages -------------------------------------------------------------------------------------------

/** What the elements of a list are called, by the list's field name (or argument name). */
const ELEMENT: Record<string, string> = { requests: 'download', ids: 'id', mirrors: 'mirror', status: 'status' };
/** The name of each argument of each command, for the lists among them. */
const ARGUMENT: Partial<Record<ApiMethod, string>> = { add: 'requests', pause: 'ids', resume: 'ids', retry: 'ids', remove: 'ids' };

function preview(value: unknown): string {
  const s = String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function child(value: unknown, key: PropertyKey): unknown {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
}

/** `download 3 of 120 (http://a/b), mirror 2`: where in the arguments an issue is, in words. */
function whereIs(method: ApiMethod, path: readonly PropertyKey[], input: unknown, badKey: boolean): string[] {
  const where: string[] = [];
  let value = input;
  let field: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (i === 0) {
      field = key === 0 ? ARGUMENT[method] : undefined;
    } else if (Array.isArray(value) && typeof key === 'number') {
      const noun = field ? ELEMENT[field] : undefined;
      const item = value[key];
      if (noun && value.length > 1) {
        const url = noun === 'download' ? child(item, 'url') : undefined;
        where.push(`${noun} ${key + 1} of ${count(value.length)}${typeof url === 'string' ? ` (${preview(url)})` : ''}`);
      }
      field = undefined;
    } else if (field === 'headers' && typeof key === 'string' && i === path.length - 1 && !badKey) {
      where.push(`header ${JSON.stringify(preview(key))}`);
    } else {
      field = String(key);
    }
    value = child(value, key);
  }
  return where;
}

/** One problem of a call in plain words, e.g. `download 2 of 3 (http://x/a): connections per download must be…`. */
export function describeIssue(method: ApiMethod, issue: z.core.$ZodIssue, input: unknown): string {
  const inner = issue.code === 'invalid_key' || issue.code === 'invalid_element' ? issue.issues[0] : undefined;
  const message = inner?.message ?? issue.message;
  const where = whereIs(method, issue.path, input, issue.code === 'invalid_key');
  return where.length > 0 ? `${where.join(', ')}: ${message}` : message;
}

/** Checks the arguments of `method`: the parsed arguments, or a message a person understands. */
export function parseArgs<M extends ApiMethod>(method: M, input: unknown): { ok: true; args: ParsedArgs<M> } | { ok: false; message: string } {
  const result = (API_SCHEMAS[method] as unknown as z.ZodType<ParsedArgs<M>>).safeParse(input, {
    // Only reached by a check above that carries no message of its own.
    error: (issue) => `${issue.path?.length ? String(issue.path.at(-1)) : method} is not valid here`,
  });
  if (result.success) return { ok: true, args: result.data };
  const [first, ...rest] = result.error.issues;
  const message = describeIssue(method, first!, input);
  return { ok: false, message: rest.length > 0 ? `${message} (and ${rest.length} more ${rest.length === 1 ? 'problem' : 'problems'})` : message };
}

/** Checks one download on its own (a line of a list file) by the same rules as `add`. */
export function checkAddRequest(input: unknown): { ok: true; request: AddRequest } | { ok: false; message: string } {
  const parsed = parseArgs('add', [[input]]);
  return parsed.ok ? { ok: true, request: parsed.args[0][0]! } : parsed;
}
