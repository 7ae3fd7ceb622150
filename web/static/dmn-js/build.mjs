// Builds dist/ from src/ with esbuild: editor.js + editor.css (dmn-js with
// its decision requirement graph, decision table and literal expression
// editors, wired to the Waymark server) and the dmn font files. The output
// is minified and deterministic: the same lock file gives the same bytes.
//
// Usage: node build.mjs            (writes dist/)
//        node build.mjs --check    (fails when dist/ differs from a fresh build)

import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
const outdir = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'dmn-js-')) : path.join(here, 'dist');

if (!check) {
  fs.rmSync(outdir, { recursive: true, force: true });
}

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { editor: 'src/editor.js' },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  charset: 'utf8',
  sourcemap: false,
  metafile: false,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: {
    '.json': 'json',
    '.woff': 'file',
    '.woff2': 'file',
    '.ttf': 'file',
    '.eot': 'file',
    '.svg': 'file',
  },
  assetNames: 'fonts/[name]-[hash]',
});

if (check) {
  const list = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  const want = list(outdir);
  const have = list(path.join(here, 'dist'));
  const diffs = [];
  for (const f of new Set([...want, ...have])) {
    const a = path.join(outdir, f);
    const b = path.join(here, 'dist', f);
    if (!fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b))) {
      diffs.push(f);
    }
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  if (diffs.length) {
    console.error('dist/ differs from a fresh build in: ' + diffs.join(', '));
    process.exit(1);
  }
  console.log('dist/ matches a fresh build');
}
