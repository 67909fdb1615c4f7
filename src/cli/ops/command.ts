import type { Config } from '../../config.js';

/** One ops subcommand: its usage paragraph (for --help) and what it runs; answers the exit code. */
export interface OpsCommand {
  usage: string;
  run(config: Config, args: string[]): Promise<number>;
}
