// serverless.yml's routed models (`${file(./deploy/routed-models.cjs):...}`): --param multilingualModelId is a
// comma-separated list in priority order (empty: resources.json's model.multilingualIds; 'none': routing off).
// YAML cannot loop over a list, hence this: it returns the list as the function's MULTILINGUAL_MODEL_ID and the
// classify zip's package patterns, the English model's and each routed model's folder without training leftovers.
'use strict';

const resources = require('../src/resources.json');

/** One model folder at $LAMBDA_TASK_ROOT/models/<id> (src/config.ts), without training files or docs. */
const modelPatterns = (id) => [
  `models/${id}/**`,
  `!models/${id}/**/checkpoint-*/**`,
  `!models/${id}/**/*.{py,mjs,ts,ipynb,pt,pth,bin,safetensors,ckpt,h5,msgpack}`,
  `!models/${id}/**/{training,training_args,optimizer,scheduler,trainer_state}*`,
  `!models/${id}/**/*.md`,
];

/** The same rules as src/config.ts parseMultilingualModelIds (which the function applies to the value again). */
function routedIds(value) {
  const text = String(value ?? '').trim();
  if (text === '') return resources.model.multilingualIds;
  if (text === 'none') return [];
  const ids = text.split(',').map((id) => id.trim());
  const bad = ids.find((id) => id === 'none' || !/^[A-Za-z0-9._-]+$/.test(id));
  if (bad !== undefined) throw new Error(`multilingualModelId must be "none" or a list of model ids, got "${text}"`);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`multilingualModelId lists "${duplicate}" twice: "${text}"`);
  return ids;
}

module.exports = async ({ resolveVariable }) => {
  const modelId = String(await resolveVariable('param:modelId')).trim();
  const ids = routedIds(await resolveVariable('param:multilingualModelId'));
  return {
    // The function's MULTILINGUAL_MODEL_ID and the image's build arg: the list, or 'none'.
    ids: ids.length > 0 ? ids.join(',') : 'none',
    // The English model, each routed model, and the language detector's n-gram table.
    patterns: [...[modelId, ...ids].flatMap(modelPatterns), 'models/language/**'],
  };
};
