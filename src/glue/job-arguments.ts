/**
 * `JobArguments` and `JobMetrics`: the names of the ingestion script's arguments and metrics, read
 * from the job contract (job-contract.ts, over job-script/job-contract.json).
 */
import { argumentFlag, metricName as contractMetric } from './job-contract';

/**
 * The names of the metrics the ingestion script publishes (per run, `Sum`), read from the job
 * contract (`job-contract.json`, which the script reads too).
 */
export class JobMetrics {
  /** Records read from the run's files. */
  public static readonly RECORDS_READ: string = contractMetric('RECORDS_READ');
  /** Records written to the table. */
  public static readonly RECORDS_VALID: string = contractMetric('RECORDS_VALID');
  /** Records written to the quarantine. */
  public static readonly RECORDS_QUARANTINED: string = contractMetric('RECORDS_QUARANTINED');
  /** 1 for a run that committed (a run that finds no new file too). */
  public static readonly RUNS_SUCCEEDED: string = contractMetric('RUNS_SUCCEEDED');
  /** 1 for a run whose quarantine ratio failed it closed (the table was not committed). */
  public static readonly FAILED_CLOSED: string = contractMetric('FAILED_CLOSED');
  /** Files of the run that were refused (not CSV, unreadable, a record too long). */
  public static readonly FILES_REFUSED: string = contractMetric('FILES_REFUSED');
  /** Files the run ingested. */
  public static readonly FILES: string = contractMetric('FILES');
  /** Quarantined records the run deleted at the end of their retention. */
  public static readonly QUARANTINE_RECORDS_EXPIRED: string = contractMetric('QUARANTINE_RECORDS_EXPIRED');

  private constructor() {}
}

/**
 * The names of the ingestion script's arguments that a job passes, read from the job contract
 * (`job-contract.json`, which lists every argument with its type, default and the prop that sets it).
 */
export class JobArguments {
  /** s3 URL of the CSV prefix (prop `source`). */
  public static readonly SOURCE_URI: string = argumentFlag('SOURCE_URI');
  /** s3 URL of the table root (props `target` and `tablePath`). */
  public static readonly TABLE_URI: string = argumentFlag('TABLE_URI');
  /** The schema's canonical JSON (prop `schema`). */
  public static readonly SCHEMA: string = argumentFlag('SCHEMA');
  /** The schema's SHA-256 (prop `schema`). */
  public static readonly SCHEMA_HASH: string = argumentFlag('SCHEMA_HASH');
  /** CloudWatch namespace of the job's metrics (prop `metricsNamespace`). */
  public static readonly METRICS_NAMESPACE: string = argumentFlag('METRICS_NAMESPACE');
  /** Quarantine ratio above which a run fails closed (prop `maxQuarantineRatio`). */
  public static readonly MAX_QUARANTINE_RATIO: string = argumentFlag('MAX_QUARANTINE_RATIO');
  /** Days quarantined records are kept (prop `quarantineRetention`). */
  public static readonly QUARANTINE_RETENTION_DAYS: string = argumentFlag('QUARANTINE_RETENTION_DAYS');
  /** Whether quarantined records drop their raw text (prop `redactQuarantine`). */
  public static readonly REDACT_QUARANTINE: string = argumentFlag('REDACT_QUARANTINE');
  /** ARN of the pseudonymization key's secret (prop `secrets: { 'pseudonym-key': secret }`). */
  public static readonly PSEUDONYM_KEY: string = argumentFlag('PSEUDONYM_KEY');

  private constructor() {}
}
