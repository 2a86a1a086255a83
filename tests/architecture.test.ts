import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

const DOMAIN = resolve(import.meta.dir, '../src/domain');

const IMPORT_PATTERNS = [
  /\bimport\s+[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bexport\s+[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
];

// Time, randomness and the environment are ports: reaching for them directly makes the core untestable.
const FORBIDDEN_MENTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bprocess\./, 'process.'],
  [/\bDate\.now\(/, 'Date.now('],
  [/\bnew\s+Date\(\s*\)/, 'new Date()'],
  [/\bMath\.random\(/, 'Math.random('],
  [/\bcrypto\./, 'crypto.'],
  [/\bBun\./, 'Bun.'],
  [/\bperformance\.now\(/, 'performance.now('],
];

const BUILTINS = new Set(builtinModules);

function importsOf(source: string): string[] {
  return IMPORT_PATTERNS.flatMap((re) => [...source.matchAll(re)].map((m) => m[1] as string));
}

function importViolation(specifier: string, file: string): string | null {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    return target === DOMAIN || target.startsWith(DOMAIN + sep) ? null : `leaves src/domain: '${specifier}'`;
  }
  if (specifier === 'bun' || specifier.startsWith('bun:')) return `bun: '${specifier}'`;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0] as string)) {
    return `node built-in: '${specifier}'`;
  }
  if (specifier.startsWith('/')) return `absolute path: '${specifier}'`;
  return `package: '${specifier}'`;
}

/** Every rule the domain breaks in `source`, which is pretended to live at `file`. */
function domainViolations(source: string, file: string): string[] {
  const fromImports = importsOf(source).flatMap((s) => importViolation(s, file) ?? []);
  const fromMentions = FORBIDDEN_MENTIONS.filter(([re]) => re.test(source)).map(([, name]) => `uses ${name}`);
  return [...fromImports, ...fromMentions];
}

const domainFiles = (readdirSync(DOMAIN, { recursive: true }) as string[])
  .map((name) => join(DOMAIN, name))
  .filter((path) => /\.[cm]?[jt]sx?$/.test(path));

describe('the checker itself', () => {
  const file = join(DOMAIN, 'usecases', 'probe.ts');

  it.each([
    ["import mongoose from 'mongoose';", "package: 'mongoose'"],
    ["import { Elysia } from 'elysia';", "package: 'elysia'"],
    ["import type { Db } from 'mongodb';", "package: 'mongodb'"],
    ["import { randomInt } from 'node:crypto';", "node built-in: 'node:crypto'"],
    ["import fs from 'fs';", "node built-in: 'fs'"],
    ["import { join } from 'path/posix';", "node built-in: 'path/posix'"],
    ["import { $ } from 'bun';", "bun: 'bun'"],
    ["import { Database } from 'bun:sqlite';", "bun: 'bun:sqlite'"],
    ["import './side-effect';", null],
    ["import 'reflect-metadata';", "package: 'reflect-metadata'"],
    ["const m = await import('mongoose');", "package: 'mongoose'"],
    ["const cp = require('child_process');", "node built-in: 'child_process'"],
    ["export { x } from '@scope/pkg';", "package: '@scope/pkg'"],
    ["export * from '../../adapters/memory';", "leaves src/domain: '../../adapters/memory'"],
    ["import {\n  a,\n  b,\n} from '../../app/config';", "leaves src/domain: '../../app/config'"],
    ["import { ok } from '../result';", null],
  ])('judges %p', (source, expected) => {
    expect(domainViolations(source, file)).toEqual(expected === null ? [] : [expected]);
  });

  it.each([
    ['const s = process.env.SECRET;', 'uses process.'],
    ['process.exit(1);', 'uses process.'],
    ['const t = Date.now();', 'uses Date.now('],
    ['const d = new Date();', 'uses new Date()'],
    ['const r = Math.random();', 'uses Math.random('],
    ['const id = crypto.randomUUID();', 'uses crypto.'],
    ["const f = Bun.file('x');", 'uses Bun.'],
    ['const t = performance.now();', 'uses performance.now('],
  ])('flags %p', (source, expected) => {
    expect(domainViolations(source, file)).toEqual([expected]);
  });

  it('allows a Date built from a given instant', () => {
    expect(domainViolations('const d = new Date(at.getTime());', file)).toEqual([]);
  });
});

describe('src/domain', () => {
  it('is found where the checker looks', () => {
    expect(domainFiles.length).toBeGreaterThanOrEqual(10);
  });

  it('imports nothing outside itself and touches no clock, randomness or environment', () => {
    const broken = domainFiles.flatMap((path) =>
      domainViolations(readFileSync(path, 'utf8'), path).map((v) => `${relative(DOMAIN, path)}: ${v}`),
    );
    expect(broken).toEqual([]);
  });
});
