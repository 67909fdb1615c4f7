// serverless.yml's switch for the optional PostgreSQL sink (`${file(./deploy/postgres-sink.cjs):...}`): the sink
// function and its role, alarm and dashboard widget are in the template only when --param pgSecretArn is given,
// and then the VPC parameters it needs must be given too. YAML cannot test a parameter for emptiness, hence this.
'use strict';

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

module.exports = async ({ resolveVariable }) => {
  const secret = String((await resolveVariable('param:pgSecretArn')) ?? '').trim();
  if (!secret) return { sink: 'disabled', subnetIds: [], securityGroupIds: [], secretAction: '' };
  const secretAction = /^arn:[^:]+:secretsmanager:/.test(secret)
    ? 'secretsmanager:GetSecretValue'
    : /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\//.test(secret)
      ? 'ssm:GetParameter'
      : undefined;
  if (!secretAction)
    throw new Error(
      `pgSecretArn must be the ARN of a Secrets Manager secret or of an SSM SecureString parameter, got "${secret}"`,
    );
  const subnetIds = list(await resolveVariable('param:pgSubnetIds'));
  const securityGroupIds = list(await resolveVariable('param:pgSecurityGroupIds'));
  if (subnetIds.length === 0 || securityGroupIds.length === 0)
    throw new Error(
      'the PostgreSQL sink runs in the database VPC: give --param pgSubnetIds=subnet-a,subnet-b ' +
        'and --param pgSecurityGroupIds=sg-1 with pgSecretArn',
    );
  return { sink: 'enabled', subnetIds, securityGroupIds, secretAction };
};
