import { awscdk, github, javascript, JsonPatch, release, TestFailureBehavior } from 'projen';

/**
 * The single source of this project's configuration.
 *
 * Change this file, then run `npx projen`: every generated file (package.json,
 * tsconfig*, .gitignore, .npmignore, .projen/tasks.json) is rewritten from it.
 */

// Versions the README commands and CI use. The library itself runs on Node 22+.
const CDK_FLOOR = '2.270.0'; // first aws-cdk-lib with the Glue L2 jobs in the core library
const CDK_CLI = '2.1148.1'; // the `cdk` CLI is versioned apart from aws-cdk-lib
const CDK_NAG = '3.0.2';
const IAM_SIMULATE = '0.1.173'; // AGPL: dev dependency only, never imported by shipped code
/** The AWS Control Tower guard rules and the cfn-guard binary, as a CDK validation plugin (exact pin). */
const CFN_GUARD_VALIDATOR = '0.0.62';
/** publib, the publishers projen's release jobs run (exact pin: those jobs hold the registries' OIDC tokens). */
const PUBLIB = '0.2.1061';
/** npm trusted publishing needs npm 11.5.1 or later; Node.js 22 bundles npm 10 (this is the npm `package:check` runs here). */
const NPM_FOR_TRUSTED_PUBLISHING = '11.19.1';
/** The release job's toolchain, as `.ci/run`'s machine has it: scripts/dev installs the rest. */
const RELEASE_JAVA = '17';
const RELEASE_PYTHON = '3.11';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-secure-delta-lake',
  description:
    'AWS CDK constructs for a secure AWS Glue + Delta Lake ingestion pipeline: SSE-KMS and TLS enforced by bucket policy, a data perimeter, least-privilege Glue jobs and an audited pipeline, all on by default and proven by tests.',
  author: 'cdk-secure-delta-lake maintainers',
  authorAddress: 'maintainers@users.noreply.r-seed-1a69e2b2.example',
  repositoryUrl: 'https://github.com/cdk-secure-delta-lake/cdk-secure-delta-lake.git',
  license: 'Apache-2.0',
  keywords: ['aws-cdk', 'awscdk', 'cdk', 'glue', 'delta-lake', 'security', 'compliance', 's3', 'kms'],
  stability: 'experimental',

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  tsconfigDevFile: 'tsconfig.dev.json',

  cdkVersion: CDK_FLOOR,
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '22.0.0', // Node.js 20 reached its end of life on 2026-04-30 (jsii warns on it)
  workflowNodeVersion: '22.23.3',

  // CI is `.ci/run` on a fresh machine. The one hosted workflow is the release a maintainer starts
  // (.github/workflows/release.yml, docs/releasing.md); no pull-request build, upgrade, lint or
  // merge workflows to keep in step with `.ci/run`.
  github: true,
  buildWorkflow: false,
  depsUpgradeOptions: { workflow: false },
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  // `npx projen release` versions the packages from the commit history (conventional commits since
  // the last tag), builds and tests them into dist/, and writes the changelog. The release workflow
  // runs it through scripts/dev, then publishes the tarball and the wheel from dist/ with trusted
  // publishing (OIDC, no registry tokens stored anywhere) from the `release` environment.
  release: true,
  majorVersion: 0,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  releaseEnvironment: 'release',
  jsiiReleaseVersion: PUBLIB,
  npmTrustedPublishing: true,
  releaseWorkflowSetupSteps: [
    {
      name: 'Set up Java',
      uses: github.ActionRefs.ACTIONS_SETUP_JAVA,
      with: { 'distribution': 'temurin', 'java-version': RELEASE_JAVA },
    },
    {
      name: 'Set up Python',
      uses: github.ActionRefs.ACTIONS_SETUP_PYTHON,
      with: { 'python-version': RELEASE_PYTHON },
    },
    { name: 'Install the toolchain', run: './scripts/dev' },
  ],

  publishToPypi: {
    distName: 'cdk-secure-delta-lake',
    module: 'cdk_secure_delta_lake',
    trustedPublishing: true,
  },

  devDeps: [
    `cdk-nag@${CDK_NAG}`,
    `aws-cdk@${CDK_CLI}`,
    `@cloud-copilot/iam-simulate@${IAM_SIMULATE}`,
    `@cdklabs/cdk-validator-cfnguard@${CFN_GUARD_VALIDATOR}`,
  ],

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  jestOptions: {
    jestConfig: {
      collectCoverageFrom: ['src/**/*.ts'],
      coverageThreshold: { lines: 90 },
      testTimeout: 120_000,
    },
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
  },

  gitignore: [
    '/.tools/', // the pinned Node.js toolchain, installed by scripts/dev
    '/.venv/', // the pinned Python environment, created by scripts/dev
    '/.venv-checkov/', // Checkov, pinned, created by scripts/dev
    '/.venv-release/', // twine, pinned, created by scripts/dev
    '/.venv-lint/', // mypy and ruff, pinned, created by scripts/dev
    '.mypy_cache/',
    '.ruff_cache/',
    '/.cache/', // Maven jars for local Spark + Delta
    '/examples/cdk.out/',
    '/examples/python/cdk.out/',
    '.jsii.tabl.json',
    '__pycache__/',
    '.pytest_cache/',
  ],
});

for (const pattern of ['/.tools/', '/.venv/', '/.venv-checkov/', '/.venv-release/', '/.venv-lint/', '.mypy_cache/', '.ruff_cache/', '/.cache/', '/examples/', '/scripts/', '/.ci/', '/rosetta/', '__pycache__/', '.pytest_cache/', '*.test.py', 'conftest.py']) {
  project.addPackageIgnore(pattern);
}

project.tsconfigDev.addInclude('.projenrc.ts');

// Sample CSV files keep their bytes (CRLF line ends, BOM): they are test data for the strict reader.
project.gitattributes.addAttributes('/examples/data/**/*.csv', '-text');

// The README's examples compile in strict mode, against rosetta/default.ts-fixture.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript example of the README (jsii-rosetta, strict)',
  exec: 'jsii-rosetta extract --strict --compile --fail',
});
project.postCompileTask.spawn(rosetta);

// Non-TypeScript files the library needs at run time (the Glue job script, JSON schemas) live
// under src/ next to their constructs; projen's .npmignore drops src/, so they are copied into lib/.
const copyAssets = project.addTask('copy-assets', {
  description: 'Copy the non-TypeScript run-time assets of src/ into lib/',
  exec: 'node scripts/copy-assets.js',
});
project.compileTask.spawn(copyAssets);

// The job contract (src/glue/job-script/job-contract.json) is the one declaration of the ingestion
// script's arguments and metrics; its Python module (shipped to Glue with the script) and the
// arguments table of docs/ingestion.md are generated from it before every compile, so the
// drift check fails a commit that changed the contract without them.
const jobContract = project.addTask('contract:job', {
  description: 'Generate sdl_contract.py and the arguments table of docs/ingestion.md from job-contract.json',
  exec: 'node scripts/gen-job-contract.js',
});
project.preCompileTask.spawn(jobContract);

// The index of the tests that prove each control, shipped in lib/ for installed copies' reports.
const controlsIndex = project.addTask('controls:index', {
  description: 'Index the tests that prove each control into lib/controls/control-tests.json',
  exec: 'node scripts/index-control-tests.js',
});
project.postCompileTask.spawn(controlsIndex);

// The distributables the Python suites and the publishers' checks use: jsii, API.md, the README
// examples (jsii-rosetta --strict), the control-test index, the npm tarball and the wheel.
const dist = project.addTask('dist', {
  description: 'Build the npm tarball and the wheel into dist/ from a fresh compile',
});
// Only the packages: dist/ also holds the version, the tag and the changelog `npx projen release` bumped.
dist.exec('rm -rf dist/js dist/python');
dist.spawn(project.compileTask);
dist.spawn(project.postCompileTask);
dist.spawn(project.tasks.tryFind('package-all')!);

// The Python the library ships (the job script, verify-deployment, the rotation function): ruff
// (ruff.toml) and mypy in strict mode (mypy.ini), from the environment scripts/dev makes (.venv-lint/).
const lintPython = project.addTask('lint:python', {
  description: 'Lint (ruff) and type-check (mypy, strict) the Python the library ships',
});
lintPython.exec('$SDL_LINT_BIN/ruff check');
lintPython.exec('$SDL_LINT_BIN/mypy');
project.testTask.spawn(lintPython);

// Python: the binding and packaging tests against the wheel just built, the Glue job script's
// tests on local Spark and Delta, verify-deployment's logic and the rotation function's. pytest
// exits 5 when it collects nothing, which fails the task.
const testPython = project.addTask('test:python', {
  description: 'Build the distributables, then run the Python test suites',
});
testPython.spawn(dist);
testPython.exec('python -m pytest -q -p no:cacheprovider -W "ignore:distutils Version classes are deprecated:DeprecationWarning" test/python src/glue/job-script src/audit src/pipeline/rotation');
project.testTask.spawn(testPython);

// The publishers' own checks of what test:python built: npm's dry run of the tarball, twine's of the wheel.
const packageCheck = project.addTask('package:check', {
  description: 'Check the built npm tarball (npm publish --dry-run) and the wheel and sdist (twine check)',
});
packageCheck.exec('npm publish --dry-run dist/js/*.tgz');
packageCheck.exec('$SDL_TWINE check --strict dist/python/*');
project.testTask.spawn(packageCheck);

// The main job: synthesize the example pipeline with every compliance pack and print a summary.
project.addTask('main', {
  description: 'Synthesize the example pipeline into examples/cdk.out with every compliance pack applied',
});
project.tasks.tryFind('main')!.spawn(project.compileTask);
project.tasks.tryFind('main')!.spawn(controlsIndex);
project.tasks.tryFind('main')!.exec('cdk synth --quiet --no-notices', {
  cwd: 'examples/ingestion-pipeline',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});

// After a deploy: check the deploy-time assumptions of the example against the account.
project.addTask('verify-deployment', {
  description: 'Check the deployed example pipeline against its deploy-time assumptions (needs AWS credentials)',
  exec: 'python src/audit/verify_deployment.py --report examples/cdk.out/security-report.json',
  receiveArgs: true,
});

// Benchmarks (measured side by side in one run, never asserted in tests).
// docs/controls.md is rendered from the control registry, never copied (a test compares them).
project.addTask('docs:controls', {
  description: 'Render docs/controls.md from the control registry',
  exec: 'ts-node -P tsconfig.dev.json scripts/controls-table.ts',
});

project.addTask('benchmark:ingest', {
  description: 'Validated ingestion against plain Spark CSV to Delta on the same files (ratios, peak memory); large inputs, never in CI',
  exec: 'python scripts/benchmark-ingest.py',
  receiveArgs: true,
});
project.addTask('benchmark:synth', {
  description: 'Synth time of the example pipeline against an empty aws-cdk-lib app (ratio)',
  exec: 'ts-node -P tsconfig.dev.json scripts/benchmark-synth.ts',
  receiveArgs: true,
});

// The release workflow runs the release as `.ci/run` runs the tests: through scripts/dev, which
// installs the pinned toolchain (npm ci included, so projen's own install step goes) and exports the
// environment the test task needs. Each patch first checks the step it edits, so a projen upgrade
// that moves them fails `npx projen` instead of editing the wrong step.
const releaseWorkflow = project.github!.tryFindWorkflow('release')!.file!;
releaseWorkflow.patch(
  JsonPatch.test('/jobs/release/steps/3/run', 'npm ci', TestFailureBehavior.FAIL_SYNTHESIS),
  JsonPatch.remove('/jobs/release/steps/3'),
  JsonPatch.test('/jobs/release/steps/6/run', 'npx projen release', TestFailureBehavior.FAIL_SYNTHESIS),
  JsonPatch.replace('/jobs/release/steps/6/run', './scripts/dev npx projen release'),
  // npm trusted publishing needs npm 11.5.1 or later; the publish job's Node.js 22 bundles npm 10.
  JsonPatch.test('/jobs/release_npm/steps/0/uses', github.ActionRefs.ACTIONS_SETUP_NODE, TestFailureBehavior.FAIL_SYNTHESIS),
  JsonPatch.add('/jobs/release_npm/steps/1', {
    name: 'Update npm for trusted publishing',
    run: `npm install --global npm@${NPM_FOR_TRUSTED_PUBLISHING}`,
  }),
);

project.synth();
