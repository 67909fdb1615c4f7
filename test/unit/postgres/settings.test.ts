// The sink's settings that need no server: --pg-columns, the connection secret's two shapes, which PostgreSQL
// failures are worth retrying, and serverless.yml's switch for the optional function.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { DEFAULT_SINK_COLUMNS, parseSinkColumns } from '../../../src/domain/postgres-columns.js';
import { settingsFromSecret } from '../../../src/postgres/pool.js';
import { isTransientPostgresError } from '../../../src/postgres/transient.js';

const switchOf = createRequire(import.meta.url)('../../../deploy/postgres-sink.cjs') as (arg: {
  resolveVariable: (name: string) => Promise<string>;
}) => Promise<{ sink: string; secretAction: string; subnetIds: string[] }>;

describe('--pg-columns', () => {
  it('defaults to the seed table (sentiment, sentiment_score) with the scoredAt guard column', () => {
    assert.deepEqual(parseSinkColumns(undefined), DEFAULT_SINK_COLUMNS);
    assert.deepEqual(parseSinkColumns(''), DEFAULT_SINK_COLUMNS);
  });

  it('overrides some fields, maps the optional ones, and names what is wrong', () => {
    assert.deepEqual(parseSinkColumns('id=tweet_id, failure=why,model=m'), {
      ...DEFAULT_SINK_COLUMNS,
      id: 'tweet_id',
      failure: 'why',
      model: 'm',
    });
    assert.throws(() => parseSinkColumns('mood=x'), /unknown field "mood" .*the fields are id, label, score/);
    assert.throws(() => parseSinkColumns('label'), /"label" is not FIELD=COLUMN/);
  });
});

describe('the connection secret', () => {
  it('a postgres:// URL as it is; RDS JSON with TLS unless sslmode=disable', () => {
    assert.deepEqual(settingsFromSecret('postgres://u:p@db:5432/app'), {
      connectionString: 'postgres://u:p@db:5432/app',
    });
    const rds = settingsFromSecret('{"host":"db.rds","port":5433,"username":"u","password":"p","dbname":"app"}');
    assert.equal(rds.host, 'db.rds');
    assert.equal(rds.port, 5433);
    assert.equal(rds.user, 'u');
    assert.equal(rds.database, 'app');
    assert.deepEqual(rds.ssl, { rejectUnauthorized: true });
    assert.equal(settingsFromSecret('{"host":"h","sslmode":"disable"}').ssl, false);
    assert.throws(() => settingsFromSecret('hunter2', 'arn:x'), /arn:x is neither a postgres:\/\/ URL nor JSON/);
  });
});

describe('transient PostgreSQL failures', () => {
  it('connection, restart, lock and timeout failures are retried; a missing column is not', () => {
    for (const code of ['57P01', '08006', '55P03', '57014', '40P01', '53300', 'ECONNREFUSED'])
      assert.equal(isTransientPostgresError({ code, message: 'x' }), true, code);
    assert.equal(isTransientPostgresError(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isTransientPostgresError({ code: '42703', message: 'column "x" does not exist' }), false);
    assert.equal(isTransientPostgresError({ code: '22P02', message: 'invalid input syntax' }), false);
  });
});

describe("serverless.yml's switch (deploy/postgres-sink.cjs)", () => {
  const params = (values: Record<string, string>) => ({
    resolveVariable: async (name: string) => values[name.replace(/^param:/, '')] ?? '',
  });

  it('off without pgSecretArn; Secrets Manager or SSM action by the ARN', async () => {
    assert.equal((await switchOf(params({}))).sink, 'disabled');
    const vpc = { pgSubnetIds: 'subnet-a,subnet-b', pgSecurityGroupIds: 'sg-1' };
    const sm = await switchOf(params({ pgSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:db-Ab', ...vpc }));
    assert.deepEqual(
      [sm.sink, sm.secretAction, sm.subnetIds],
      ['enabled', 'secretsmanager:GetSecretValue', ['subnet-a', 'subnet-b']],
    );
    const ssm = await switchOf(params({ pgSecretArn: 'arn:aws:ssm:eu-west-1:1:parameter/db/url', ...vpc }));
    assert.equal(ssm.secretAction, 'ssm:GetParameter');
    await assert.rejects(
      switchOf(params({ pgSecretArn: 'db-password', ...vpc })),
      /must be the ARN of a Secrets Manager/,
    );
  });
});
