// sharp stand-in (see package.json): transformers.js imports `sharp` at load and only calls it for images,
// which this project never processes. Any call is a bug here, so it fails loudly instead of returning nothing.
'use strict';

function sharp() {
  throw new Error(
    'sharp is stubbed out in impact-sentiment (packages/sharp-stub): image processing is not available. ' +
      'Remove the "sharp" override from package.json to use transformers.js image pipelines.',
  );
}

module.exports = sharp;
module.exports.default = sharp;
