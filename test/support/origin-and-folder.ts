import { rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import { tempDir } from './harness';
import { TestOrigin } from './origin';

export interface OriginAndFolder {
  /** The origin the tests download from. */
  readonly origin: TestOrigin;
  /** A temporary folder for the tests' databases and downloads. */
  readonly dir: string;
}

/** A TestOrigin and a temporary folder for the tests of one describe block: opened before them, removed after. */
export function originAndFolder(prefix: string): OriginAndFolder {
  const scope: { origin?: TestOrigin; dir?: string } = {};
  before(async () => {
    scope.origin = await new TestOrigin().start();
    scope.dir = await tempDir(prefix);
  });
  after(async () => {
    await scope.origin?.close();
    if (scope.dir) await rm(scope.dir, { recursive: true, force: true });
  });
  return {
    get origin() {
      return scope.origin!;
    },
    get dir() {
      return scope.dir!;
    },
  };
}
