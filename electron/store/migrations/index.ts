import type Database from 'better-sqlite3';
import { initial } from './001-initial';
import { retryLog } from './002-retry-log';
import { sourceUrl } from './003-source-url';
import { sortIndexes } from './004-sort-indexes';
import { placement } from './005-placement';
import { hostLimits } from './006-host-limits';
import { linkRefresh } from './007-link-refresh';
import { forgetHeaders } from './008-forget-headers';
import { sortByShownName } from './009-sort-by-shown-name';
import { errorStatus } from './010-error-status';
import { sortByAskedName } from './011-sort-by-asked-name';

export interface Migration {
  version: number;
  up: (db: Database.Database) => void;
}

/** Every schema version in order; a new version is a new file appended here. */
export const MIGRATIONS: readonly Migration[] = [initial, retryLog, sourceUrl, sortIndexes, placement, hostLimits, linkRefresh, forgetHeaders, sortByShownName, errorStatus, sortByAskedName];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
