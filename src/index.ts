export * from './controls/security-controls';
