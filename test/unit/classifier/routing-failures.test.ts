// A routed batch whose one model fails: the other model's posts are still scored, and the failure names the
// posts left unscored (PartialScoringError); a multilingual model that failed to load is loaded again later.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingClassifier, type TextScoringModel } from '../../../src/classifier/routing.js';
import { PartialScoringError } from '../../../src/classifier/batch.js';
import type { Sentiment } from '../../../src/domain/sentiment.js';

const ARABIC = 'هذا المنتج رائع جدا وأنصح به الجميع';
const ENGLISH = 'What a wonderful day, thank you all so much!';

function model(modelId: string, fail: () => boolean): TextScoringModel {
  return {
    modelId,
    method: 'transformer',
    maxChars: 1000,
    async score(texts) {
      if (fail()) throw new Error(`${modelId} is down`);
      return texts.map(() => ({ probabilities: { negative: 0.1, neutral: 0.1, positive: 0.8 } }));
    },
  };
}

function router(options: { englishDown?: boolean; multilingualDown?: boolean; loadFails?: number }) {
  let loads = 0;
  return new RoutingClassifier({
    english: model('en-v1', () => options.englishDown ?? false),
    routed: [
      {
        id: 'ml-v1',
        languages: new Set(['ara', 'arb']),
        load: async () => {
          loads++;
          if (loads <= (options.loadFails ?? 0)) throw new Error('multilingual model failed to load');
          return model('ml-v1', () => options.multilingualDown ?? false);
        },
      },
    ],
    scoreUnsupportedLanguages: true,
  });
}

async function partial(classifier: RoutingClassifier, texts: string[]): Promise<ReadonlyArray<Sentiment | undefined>> {
  const error = await classifier.classify(texts).then(
    () => assert.fail('expected a partial failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PartialScoringError, String(error));
  return error.answers as ReadonlyArray<Sentiment | undefined>;
}

describe('RoutingClassifier when one model fails', () => {
  it("scores the multilingual model's posts when the English model fails, and the other way round", async () => {
    const texts = [ENGLISH, ARABIC, '   '];
    const englishDown = await partial(router({ englishDown: true }), texts);
    assert.equal(englishDown[0], undefined);
    assert.equal(englishDown[1]?.modelId, 'ml-v1');
    assert.equal(englishDown[2]?.flags.empty, true, 'texts answered without a model are never missing');
    const multilingualDown = await partial(router({ multilingualDown: true }), texts);
    assert.equal(multilingualDown[0]?.modelId, 'en-v1');
    assert.equal(multilingualDown[1], undefined);
  });

  it('throws the error itself when every model call failed', async () => {
    await assert.rejects(router({ englishDown: true }).classify([ENGLISH]), /en-v1 is down/);
  });

  it('loads a multilingual model that failed to load again on the next batch', async () => {
    const classifier = router({ loadFails: 1 });
    const first = await partial(classifier, [ENGLISH, ARABIC]);
    assert.equal(first[0]?.modelId, 'en-v1');
    const second = await classifier.classify([ENGLISH, ARABIC]);
    assert.deepEqual(
      second.map((s) => s.modelId),
      ['en-v1', 'ml-v1'],
    );
  });
});
