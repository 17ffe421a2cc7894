// Lint enforces the layers of DESIGN.md: who may import what.
import tseslint from 'typescript-eslint';

const node = ['node:*', 'fs', 'path', 'os', 'http', 'https', 'net', 'crypto', 'stream', 'child_process'];
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const ban = (names, message) => ({ group: names, message });
// The engine's one public door is its index: a face never reaches into engine modules.
const engineDoor = ban(['**/engine/*', '!**/engine/index', '!**/engine/index.ts'], 'Import the engine through its public door, electron/engine/index.ts.');

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['shared/**'],
    rules: restrict([
      ban(node, 'shared/ is the contract: no Node.'),
      ban(['electron', 'react', 'react-dom', 'better-sqlite3', 'got'], 'shared/ is plain types and pure helpers.'),
      ban(['**/electron/**', '**/renderer/**'], 'shared/ imports nothing of the project but itself.'),
    ]),
  },
  {
    files: ['electron/engine/**'],
    rules: restrict([
      ban(['electron'], 'The engine is pure Node: it runs in the CLI, the server and the tests.'),
      ban(['better-sqlite3'], 'The engine reaches storage only through ports.ts.'),
      ban(['**/store/**', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**', 'react', 'react-dom'], 'The engine imports only shared/ and itself.'),
    ]),
  },
  {
    files: ['electron/store/**'],
    rules: restrict([
      ban(['electron'], 'The store runs under plain Node too.'),
      ban(['**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**'], 'The store knows only the engine ports and shared/.'),
    ]),
  },
  {
    files: ['electron/cli/**'],
    rules: restrict([
      ban(['electron'], 'The CLI runs under plain Node.'),
      ban(['better-sqlite3'], 'Only electron/store/ touches SQLite.'),
      ban(['**/main/**', '**/preload/**', '**/renderer/**'], 'The CLI drives the engine and the store only.'),
      engineDoor,
    ]),
  },
  {
    files: ['electron/bridge/**'],
    rules: restrict([
      ban(['electron'], 'The bridge runs in the app, the CLI and the browser host.'),
      ban(['better-sqlite3', '**/store/**'], 'The bridge hands downloads to the engine; it does not touch the store.'),
      ban(['**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**'], 'The bridge is shared by the faces; it imports none of them.'),
      engineDoor,
    ]),
  },
  {
    files: ['electron/main/**'],
    rules: restrict([
      ban(['better-sqlite3'], 'Only electron/store/ touches SQLite.'),
      ban(['**/renderer/**', '**/cli/**'], 'Main binds the engine to IPC; it does not reach into other faces.'),
      engineDoor,
    ]),
  },
  {
    files: ['electron/preload/**'],
    rules: restrict([
      ban(['better-sqlite3', '**/engine/**', '**/store/**'], 'The preload only forwards calls to main over IPC.'),
      ban(['**/renderer/**', '**/cli/**'], 'The preload does not reach into other faces.'),
      // A sandboxed preload can require nothing but electron: no packages, so no zod and no schemas.
      ban(['zod', '**/shared/api-schema'], 'The sandboxed preload takes the method list from shared/wire.ts.'),
    ]),
  },
  {
    files: ['renderer/**'],
    rules: restrict([
      ban(node, 'The renderer runs in a sandbox: no Node.'),
      ban(['electron', 'better-sqlite3', 'got'], 'The renderer knows only shared/ and the BraidApi.'),
      ban(['**/electron/**'], 'The renderer knows only shared/ and the BraidApi.'),
      ban(['zod', '**/shared/api-schema'], 'The engine checks arguments; the renderer takes the method list from shared/wire.ts and keeps zod out of its bundle.'),
    ]),
  },
);
