// Secrets the functions read at run time, through Powertools Parameters (cached per container): a Secrets Manager
// secret for a secretsmanager ARN, an SSM parameter (decrypted) for anything else.
/** The secret's string value, read at most once a day per container. */
export async function readSecretString(secret: string): Promise<unknown> {
  return /^arn:[^:]+:secretsmanager:/.test(secret)
    ? (await import('@aws-lambda-powertools/parameters/secrets')).getSecret(secret, { maxAge: 86_400 })
    : (await import('@aws-lambda-powertools/parameters/ssm')).getParameter(secret, { decrypt: true, maxAge: 86_400 });
}
