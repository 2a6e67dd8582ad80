// Preloaded (--import) into the Electronegativity child process: its translation and Electron-release
// look-ups go to the internet; a test must not, so `got` fails at once (it then uses its bundled texts).
import Module from 'node:module';

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    const refuse = () => Promise.reject(new Error('network disabled in tests'));
    return Object.assign(refuse, { default: refuse, get: refuse });
  }
  return originalLoad.call(this, request, parent, isMain);
};
