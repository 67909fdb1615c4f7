// serverless.yml's routed models (`${file(./deploy/routed-models.cjs):...}`): --param multilingualModelId is a
// comma-separated list in priority order (empty: resources.json's model.multilingualIds; 'none': routing off).
// YAML cannot loop over a list, hence this: it returns the list as the function's MULTILINGUAL_MODEL_ID and the
// classify zip's package patterns, the English model's and each routed model's folder without training leftovers.
'use strict';

const resources = require('../src/resources.json');
const { parseRoutedModelIds } = require('../src/routed-model-ids.cjs');

/** One model folder at $LAMBDA_TASK_ROOT/models/<id> (src/config.ts), without training files or docs. */
const modelPatterns = (id) => [
  `models/${id}/**`,
  `!models/${id}/**/checkpoint-*/**`,
  `!models/${id}/**/*.{py,mjs,ts,ipynb,pt,pth,bin,safetensors,ckpt,h5,msgpack}`,
  `!models/${id}/**/{training,training_args,optimizer,scheduler,trainer_state}*`,
  `!models/${id}/**/*.md`,
];

module.exports = async ({ resolveVariable }) => {
  const modelId = String(await resolveVariable('param:modelId')).trim();
  const ids = parseRoutedModelIds(
    await resolveVariable('param:multilingualModelId'),
    resources.model.multilingualIds,
    'multilingualModelId',
  );
  return {
    // The function's MULTILINGUAL_MODEL_ID and the image's build arg: the list, or 'none'.
    ids: ids.length > 0 ? ids.join(',') : 'none',
    // The English model, each routed model, and the language detector's n-gram table.
    patterns: [...[modelId, ...ids].flatMap(modelPatterns), 'models/language/**'],
  };
};
