// The routed models' list (MULTILINGUAL_MODEL_ID, --multilingual, serverless.yml's --param multilingualModelId),
// parsed by one set of rules for src/config.ts and serverless.yml's resolver (deploy/routed-models.cjs). CommonJS,
// so the Serverless Framework can require it without a TypeScript loader.
'use strict';

/**
 * A comma-separated list of model ids in priority order: empty or blank is `defaults`, `none` is no routing.
 * Throws, naming `name`, on an empty or malformed id, `none` inside a list, or an id listed twice.
 */
function parseRoutedModelIds(value, defaults, name) {
  if (value === undefined || value === null || String(value).trim() === '') return [...defaults];
  const text = String(value);
  if (text.trim() === 'none') return [];
  const ids = text.split(',').map((id) => id.trim());
  const bad = ids.find((id) => id === 'none' || !/^[A-Za-z0-9._-]+$/.test(id));
  if (bad !== undefined)
    throw new Error(`${name} must be "none" or a comma-separated list of model ids, got "${text}" (bad id "${bad}")`);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`${name} lists "${duplicate}" twice: "${text}"`);
  return ids;
}

module.exports = { parseRoutedModelIds };
