import { resolve } from 'node:path';
import { createEngine, proxyFromEnvironment } from '../../engine/index';
import { listenForHandoffs } from '../../bridge/handoff-server';
import { startServer } from '../serve';
import { openStoreToRun, say } from '../store-access';

export interface ServeFlags {
  db?: string;
  dir?: string;
  host: string;
  port: number;
  secret?: string;
  /** The built UI's folder. */
  staticDir: string;
}

export async function runServe(flags: ServeFlags): Promise<number> {
  const { db, path, repo, lock } = openStoreToRun(flags);
  const engine = createEngine({ repo, overrides: flags.dir ? { folder: resolve(flags.dir) } : {}, systemProxy: proxyFromEnvironment() });
  const server = await startServer(engine, { host: flags.host, port: flags.port, secret: flags.secret, staticDir: flags.staticDir });
  engine.start();
  // `braid browser-host` hands this engine the browser's downloads through a local socket, not the WebSocket.
  const handoffs = await listenForHandoffs(engine, path).catch((error: Error) => {
    say(`the browser extension cannot hand downloads to this run (${error.message}); they are queued for the next start`);
    return null;
  });
  process.stdout.write(`Braid is serving on ${server.url}/#secret=${server.secret}\n`);
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    say(`warning: listening on ${flags.host}, not only this machine; anyone with the secret can drive downloads`);
  }
  await new Promise<void>((done) => {
    const stop = () => {
      say('stopping: saving progress');
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await handoffs?.close();
  await server.close();
  await engine.close();
  db.close();
  lock.release();
  return 0;
}
