// Jest runs only the Salesforce LWC tests (via `npx sfdx-lwc-jest`); everything else is vitest.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

export default {
  ...jestConfig,
  roots: ['<rootDir>/extension/salesforce'],
  testMatch: ['<rootDir>/extension/salesforce/**/__tests__/**/*.test.js'],
  testPathIgnorePatterns: [...jestConfig.testPathIgnorePatterns, '<rootDir>/test/'],
};
