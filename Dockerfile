# Container image for the classify function: the path for models too large for a 250 MB zip (hub models).
# Build context is the repository root. Two ways to use it:
#
#   npx osls deploy --stage prod --param deploy=image --param modelId=Xenova/twitter-roberta-base-sentiment-latest
#     osls builds this file (docker, linux/amd64, MODEL_ID build arg from modelId), pushes it to the ECR
#     repository it manages and deploys classify from it (serverless.yml, provider.ecr.images.classify).
#
#   docker build --platform linux/amd64 --build-arg MODEL_ID=<id> -t <repo>:<tag> . && docker push <repo>:<tag>
#   npx osls deploy --stage prod --param deploy=image --param modelId=<id> --param classifyImageUri=<repo>@sha256:<digest>
#
# MODEL_ID is either a folder already in models/ (e.g. the default impact-sentiment-v2) or a Hugging Face hub
# id fetched at build time with `npm run model:fetch` (the build then needs internet). Pass the same id as
# modelId to osls: the function's MODEL_ID environment variable must name the baked-in folder.
ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24

FROM ${BASE_IMAGE} AS build
WORKDIR /build
# No install scripts: onnxruntime-node's downloads CUDA binaries (its CPU ones are in the package); the
# others (esbuild, protobufjs, dev tools) only check or optimise and are not needed to bundle.
# packages/: the sharp stub package.json's overrides put in place of sharp, which transformers.js (a dev
# dependency: the classifier uses its tokenizer library alone) would pull in.
COPY package.json package-lock.json .npmrc ./
COPY packages ./packages
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY handlers ./handlers
COPY models ./models
ARG MODEL_ID=impact-sentiment-v2
# A hub id is fetched from HF_ENDPOINT: huggingface.co unless the build names a mirror (--build-arg HF_ENDPOINT=URL).
ARG HF_ENDPOINT=https://huggingface.co
RUN if [ ! -f "models/${MODEL_ID}/config.json" ]; then npm run model:fetch -- "${MODEL_ID}" --dir models; fi \
 && test -f "models/${MODEL_ID}/config.json"
# The same bundle serverless-esbuild makes for the zip (both read src/resources.json's runtime.bundle).
RUN npx tsx src/cli/bundle.ts dist/handlers handlers/classify.ts
# Production dependencies, pruned to what Lambda (linux x64, CPU) loads.
RUN mkdir /prod && cp -r package.json package-lock.json .npmrc packages /prod/ && cd /prod \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
           node_modules/onnxruntime-node/bin/napi-v6/linux/arm64

# The routed models, a comma-separated list in priority order ('none': routing off; serverless.yml passes
# resources.json's model.multilingualIds), and the language detector's table, beside the model.
ARG MULTILINGUAL_MODEL_ID=impact-sentiment-multilingual-v1,impact-sentiment-tur-ngram-v1,impact-sentiment-urd-ngram-v1,impact-sentiment-ind-msa-v2,impact-sentiment-multilingual-v2
RUN mkdir -p /ship/models && cd models && cp -r --parents language /ship/models/ \
 && if [ "${MULTILINGUAL_MODEL_ID}" != none ]; then \
      for id in $(echo "${MULTILINGUAL_MODEL_ID}" | tr ',' ' '); do cp -r --parents "${id}" /ship/models/; done; \
    fi

FROM ${BASE_IMAGE}
ARG MODEL_ID=impact-sentiment-v2
ARG MULTILINGUAL_MODEL_ID=impact-sentiment-multilingual-v1,impact-sentiment-tur-ngram-v1,impact-sentiment-urd-ngram-v1,impact-sentiment-ind-msa-v2,impact-sentiment-multilingual-v2
# src/config.ts finds the model at $LAMBDA_TASK_ROOT/models/$MODEL_ID.
ENV MODEL_ID=${MODEL_ID} MULTILINGUAL_MODEL_ID=${MULTILINGUAL_MODEL_ID}
COPY --from=build /prod/node_modules ${LAMBDA_TASK_ROOT}/node_modules
COPY --from=build /build/dist/handlers ${LAMBDA_TASK_ROOT}/handlers
COPY --from=build /build/models/${MODEL_ID} ${LAMBDA_TASK_ROOT}/models/${MODEL_ID}
COPY --from=build /ship/models ${LAMBDA_TASK_ROOT}/models
CMD ["handlers/classify.handler"]
