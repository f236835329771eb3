export * from './controls/security-controls';
export * from './storage/secure-delta-lake-bucket';
export * from './glue/table-schema';
export * from './glue/job-script-source';
export * from './glue/least-privilege-glue-job';
export * from './pipeline/pipeline-trigger';
export * from './pipeline/audited-pipeline';
export * from './audit/security-report';
