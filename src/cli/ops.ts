// Operations commands: redrive the DLQ, rescore with another model, report or recount the aggregates, run a worker,
// write results that never reached PostgreSQL.
//   npm run ops -- --help
// Targets the stage in STAGE (default dev) or the QUEUE_URL / DLQ_URL / *_TABLE variables; with
// AWS_ENDPOINT_URL_* set, the local emulators. Each subcommand is one file in ./ops/.
import { loadConfig } from '../config.js';
import { resetClients } from '../aws/clients.js';
import { UsageError } from '../errors.js';
import type { OpsCommand } from './ops/command.js';
import { recountCommand } from './ops/recount.js';
import { redriveCommand } from './ops/redrive.js';
import { reportCommand } from './ops/report.js';
import { rescoreCommand } from './ops/rescore.js';
import { syncPostgresCommand } from './ops/sync-postgres.js';
import { workerCommand } from './ops/worker.js';
import { runCli } from './run.js';

const COMMANDS: Record<string, OpsCommand> = {
  redrive: redriveCommand,
  rescore: rescoreCommand,
  report: reportCommand,
  recount: recountCommand,
  worker: workerCommand,
  'sync-postgres': syncPostgresCommand,
};

const HELP = `Usage: npm run ops -- <command> [options]
       (or npm run redrive|rescore|report|recount|worker|sync-postgres -- [options])

Commands:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}`)
  .join('\n')}

Environment: STAGE (default dev), QUEUE_URL, DLQ_URL, POSTS_TABLE, RESULTS_TABLE, AGGREGATES_TABLE, AWS_REGION,
AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB (local emulators); the worker also reads the classify settings
(MODEL_ID, MODEL_DIR, ...); sync-postgres POSTGRES_URL (or PGHOST, PGUSER, ...), POSTGRES_SINK_TABLE,
POSTGRES_SINK_COLUMNS.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  return command.run(loadConfig(), args);
}

runCli(import.meta.url, 'ops', main, { cleanup: resetClients });
