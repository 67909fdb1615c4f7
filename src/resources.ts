// The one definition of table names, keys and queue settings. serverless.yml reads the same
// values from resources.json with ${file(...)}; the local runner and the tests import them from here.
import resources from './resources.json' with { type: 'json' };

export type TableName = keyof typeof resources.tables;
export type QueueName = keyof typeof resources.queues;

export const SERVICE = resources.service;
export const TABLES = resources.tables;
export const QUEUES = resources.queues;
export const FUNCTIONS = resources.functions;
/** NODE_OPTIONS of both functions (serverless.yml), which the bench's cold start runs with too. */
export const NODE_OPTIONS = resources.runtime.nodeOptions;
/**
 * How the handlers are bundled: serverless.yml's esbuild settings, the container image's build and the bench's
 * cold start all read these. `external` is what is installed beside the bundle instead (native code); `banner`
 * gives the ESM bundle the require() that bundled CommonJS dependencies call.
 */
export const BUNDLE = resources.runtime.bundle;
/** The model the classify function serves by default (serverless.yml packages this folder). */
export const DEFAULT_MODEL = resources.model;

/** Physical name of a table or queue for a stage, as serverless.yml names it: `<service>-<stage>-<suffix>`. */
export function resourceName(stage: string, suffix: string): string {
  return `${SERVICE}-${stage}-${suffix}`;
}
