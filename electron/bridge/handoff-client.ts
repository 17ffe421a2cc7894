import { connect } from 'node:net';
import type { AddRequest, AddResult } from '../../shared/types';
import type { HandoffEndpoint } from './endpoint-file';
import { readFrames, writeFrame } from './frames';
import type { HandoffAnswer } from './handoff-server';

/** No answer within this long: taken as no engine, nothing was queued by it. */
const TIMEOUT_MS = 10_000;

/** The engine's socket could not be reached at all: nothing was asked of it. */
export class EngineUnreachable extends Error {}

/** The engine answered, with a refusal. */
export class EngineRefused extends Error {}

/**
 * Hands downloads to the engine behind `endpoint`; resolves to each one's result. `sizes`: the browser's size of
 * each (null when unknown), which lets a download waiting for its link from the browser recognise its file.
 */
export function handToEngine(endpoint: HandoffEndpoint, requests: AddRequest[], sizes?: (number | null)[]): Promise<AddResult[]> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const socket = connect(endpoint.socket);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(TIMEOUT_MS, () => fail(connected ? new EngineRefused('the running Braid did not answer in time') : new EngineUnreachable('timed out')));
    socket.on('error', (error) => fail(connected ? new EngineRefused(error.message) : new EngineUnreachable(error.message)));
    socket.on('connect', () => {
      connected = true;
      void (async () => {
        await writeFrame(socket, sizes ? { secret: endpoint.secret, requests, sizes } : { secret: endpoint.secret, requests });
        for await (const message of readFrames(socket)) {
          const answer = message as HandoffAnswer;
          socket.end();
          if (answer.ok) resolve(answer.results);
          else reject(new EngineRefused(answer.reason));
          return;
        }
        fail(new EngineRefused('the running Braid closed the connection'));
      })().catch((error: Error) => fail(new EngineRefused(error.message)));
    });
  });
}
