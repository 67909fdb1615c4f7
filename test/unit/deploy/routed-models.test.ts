// serverless.yml's routed models (deploy/routed-models.cjs): --param multilingualModelId, a comma-separated list
// (empty: resources.json's model.multilingualIds; 'none': routing off), becomes the function's MULTILINGUAL_MODEL_ID
// and the classify zip's patterns, one folder each; the function reads the list back as src/config.ts parses it.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { parseMultilingualModelIds } from '../../../src/config.js';
import { DEFAULT_MODEL } from '../../../src/resources.js';

const routedModels = createRequire(import.meta.url)('../../../deploy/routed-models.cjs') as (arg: {
  resolveVariable: (name: string) => Promise<string>;
}) => Promise<{ ids: string; patterns: string[] }>;

const params = (values: Record<string, string>) => ({
  resolveVariable: async (name: string) => values[name.replace(/^param:/, '')] ?? '',
});
/** The folders the patterns ship (their first, including pattern each). */
const folders = (patterns: string[]) => patterns.filter((p) => !p.startsWith('!')).map((p) => p.replace(/\/\*\*$/, ''));

describe("serverless.yml's routed models (deploy/routed-models.cjs)", () => {
  it("defaults to resources.json's list: every routed folder and the English one packaged, list as env", async () => {
    const { ids, patterns } = await routedModels(params({ modelId: DEFAULT_MODEL.id, multilingualModelId: '' }));
    assert.equal(
      ids,
      'impact-sentiment-multilingual-v1,impact-sentiment-tur-ngram-v1,' +
        'impact-sentiment-urd-ngram-v1,impact-sentiment-ind-msa-v2,impact-sentiment-multilingual-v2',
    );
    assert.deepEqual(parseMultilingualModelIds(ids), DEFAULT_MODEL.multilingualIds);
    assert.deepEqual(folders(patterns), [
      `models/${DEFAULT_MODEL.id}`,
      'models/impact-sentiment-multilingual-v1',
      'models/impact-sentiment-tur-ngram-v1',
      'models/impact-sentiment-urd-ngram-v1',
      'models/impact-sentiment-ind-msa-v2',
      'models/impact-sentiment-multilingual-v2',
      'models/language',
    ]);
    for (const id of [DEFAULT_MODEL.id, ...DEFAULT_MODEL.multilingualIds])
      assert.ok(patterns.includes(`!models/${id}/**/*.md`), `${id}: SOURCE.md stays out`);
  });

  it('takes an overriding list in its order, and none for routing off', async () => {
    const one = await routedModels(params({ modelId: 'm', multilingualModelId: ' b , a ' }));
    assert.equal(one.ids, 'b,a');
    assert.deepEqual(folders(one.patterns), ['models/m', 'models/b', 'models/a', 'models/language']);
    const off = await routedModels(params({ modelId: 'm', multilingualModelId: 'none' }));
    assert.equal(off.ids, 'none');
    assert.deepEqual(parseMultilingualModelIds(off.ids), []);
    assert.deepEqual(folders(off.patterns), ['models/m', 'models/language']);
  });

  it('refuses a duplicate or an empty item, naming the parameter', async () => {
    await assert.rejects(routedModels(params({ modelId: 'm', multilingualModelId: 'a,a' })), /lists "a" twice/);
    await assert.rejects(routedModels(params({ modelId: 'm', multilingualModelId: 'a,,b' })), /multilingualModelId/);
  });
});
