import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mainWindowOptions } from '../../electron/main/window-options';

describe('the app window', () => {
  it("keeps the page isolated, sandboxed and without Node, as Electron's security checklist asks", () => {
    const prefs = mainWindowOptions('/app/preload/index.cjs').webPreferences!;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, '/app/preload/index.cjs');
  });
});
