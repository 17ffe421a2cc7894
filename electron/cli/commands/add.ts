import { resolve } from 'node:path';
import type { DownloadOptions } from '../../../shared/types';
import { createEngine, findQueued } from '../../engine/index';
import { openStore, say, type CommonFlags } from '../store-access';
import { listName, queueAll } from './queue-all';

export interface AddFlags extends CommonFlags {
  paused?: boolean;
  segments?: number;
  maxConnectionPerServer?: number;
  allProxy?: string;
}

export async function runAdd(urls: string[], flags: AddFlags): Promise<number> {
  if (urls.length === 0 && !flags.input) {
    say('nothing to add: give URLs or -i FILE');
    return 2;
  }
  const { db, repo } = openStore(flags);
  const engine = createEngine({ repo });
  const options: DownloadOptions = {};
  if (flags.segments) options.segments = flags.segments;
  if (flags.maxConnectionPerServer) options.maxPerServer = flags.maxConnectionPerServer;
  if (flags.allProxy !== undefined) options.proxy = flags.allProxy;
  const folder = flags.dir ? resolve(flags.dir) : undefined;
  // An entry without a folder goes to its file type's folder or the default one: that is where one already queued is.
  const folders = await engine.getSettings();
  const { queued, refused, badInput, alreadyQueued } = await queueAll(engine, urls, flags, { folder, options, paused: flags.paused }, {
    again: false,
    keepIds: false,
    queuedAlready: (request) => findQueued(repo, request, folders),
  });
  await engine.close();
  db.close();
  if (queued + refused + alreadyQueued === 0) {
    say(`nothing to add: ${listName(flags.input)} has no URLs`);
    return 2;
  }
  const already = alreadyQueued ? `, ${alreadyQueued} already in the queue` : '';
  process.stdout.write(`queued ${queued} download${queued === 1 ? '' : 's'}${flags.paused ? ' (paused)' : ''}${already}${refused ? `, ${refused} refused` : ''}\n`);
  // Every entry a mistake (not a URL, a wrong option) is bad input, as a wrong option is.
  if (queued === 0 && refused > 0 && badInput === refused) return 2;
  return refused > 0 ? 1 : 0;
}
