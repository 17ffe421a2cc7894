import { resolve } from 'node:path';
import { BraidError, createEngine, proxyFromEnvironment } from '../../engine/index';
import { listenForHandoffs } from '../../bridge/handoff-server';
import { startServer } from '../serve';
import { openStoreToRun, say } from '../store-access';
import { onStopSignals } from '../stop-signals';

export interface ServeFlags {
  db?: string;
  dir?: string;
  host: string;
  port: number;
  secret?: string;
  /** The built UI's folder. */
  staticDir: string;
}

/** Why the server could not listen, in words that say what to change. */
function cannotListen(flags: ServeFlags, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${flags.host}:${flags.port}`;
  if (code === 'EADDRINUSE') return `cannot serve on ${where}: the port is in use (another braid serve?); choose another with --port`;
  if (code === 'EACCES') return `cannot serve on ${where}: not allowed to listen on that port; choose one above 1023 with --port`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `cannot serve on ${where}: ${flags.host} is not an address of this machine; try --host 127.0.0.1`;
  }
  return `cannot serve on ${where}: ${(error as Error).message}`;
}

export async function runServe(flags: ServeFlags): Promise<number> {
  const { db, path, repo, lock } = openStoreToRun(flags);
  const engine = createEngine({ repo, overrides: flags.dir ? { folder: resolve(flags.dir) } : {}, systemProxy: proxyFromEnvironment() });
  let server;
  try {
    server = await startServer(engine, { host: flags.host, port: flags.port, secret: flags.secret, staticDir: flags.staticDir });
  } catch (error) {
    await engine.close();
    db.close();
    lock.release();
    throw new BraidError('INVALID_OPTION', cannotListen(flags, error));
  }
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
  let stopListening = () => {};
  await new Promise<void>((done) => {
    // A second Ctrl-C a moment later is the same stop, not the end of the process before it saved.
    stopListening = onStopSignals(() => {
      say('stopping: saving progress');
      done();
    });
  });
  await handoffs?.close();
  await server.close();
  await engine.close();
  db.close();
  lock.release();
  stopListening();
  return 0;
}
