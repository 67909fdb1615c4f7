// osls plugin: lets package.json's `overrides` (sharp -> packages/sharp-stub) reach the npm install that
// serverless-esbuild runs for the external modules in .esbuild/.build. Its npm packager writes that
// directory's package.json without the project's overrides and copies package-lock.json without moving
// its file: links, so `npm ci` there would find the lock out of sync. This adds the overrides to the one
// and re-roots the other's local packages (their paths are relative to the lock's directory).
'use strict';
const path = require('node:path');

class NpmOverrides {
  constructor(serverless) {
    const root = serverless.config.servicePath;
    const { overrides } = require(path.join(root, 'package.json'));
    const utils = serverless.utils;
    const write = utils.writeFileSync.bind(utils);
    utils.writeFileSync = (file, contents, ...rest) => {
      const dir = path.dirname(file);
      const isBuildDir = path.basename(dir) === '.build' && path.basename(path.dirname(dir)) === '.esbuild';
      if (!isBuildDir || !overrides) return write(file, contents, ...rest);
      const json = typeof contents === 'string' ? JSON.parse(contents) : contents;
      if (path.basename(file) === 'package.json') json.overrides = overrides;
      if (path.basename(file) === 'package-lock.json') rerootLocalPackages(json, path.relative(dir, root));
      return write(file, JSON.stringify(json, null, 2), ...rest);
    };
  }
}

/** Lockfile v2/v3: local packages are keyed by their path and linked from node_modules by `resolved`. */
function rerootLocalPackages(lock, toRoot) {
  const packages = lock.packages ?? {};
  for (const key of Object.keys(packages)) {
    if (key === '' || key.startsWith('node_modules/') || key.includes('/node_modules/')) continue;
    packages[path.posix.join(toRoot, key)] = packages[key];
    delete packages[key];
  }
  for (const entry of Object.values(packages)) {
    if (entry.link && entry.resolved) entry.resolved = path.posix.join(toRoot, entry.resolved);
  }
}

module.exports = NpmOverrides;
