/**
 * Names of the Glue 5 log groups of a job, from its `--custom-logGroup-prefix`; computed here
 * only, so the log groups, the key policy and the role's permissions always agree.
 *
 * Glue 5.0 writes system and Spark logs to `<prefix>/error` and the script's stdout and stderr to
 * `<prefix>/output` ("Logging for AWS Glue jobs"). That Glue keeps these names when the job's
 * security configuration encrypts CloudWatch Logs is a deploy-time assumption (README).
 */
export function glueLogGroupNames(prefix: string): { output: string; error: string } {
  return { output: `${prefix}/output`, error: `${prefix}/error` };
}
