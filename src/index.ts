export * from './controls/security-controls';
export * from './storage/secure-delta-lake-bucket';
export * from './glue/table-schema';
