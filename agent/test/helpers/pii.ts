/** For the personal-data tests: made-up applicants and a search of files for their data in clear. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An 18-digit resident ID number: the 17 digits given and their GB 11643 check character. */
export function withCheck(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return body17 + '10X98765432'[[...body17].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11]!;
}

/** Every file below `dir` (recursively) with its bytes. */
export function everyFile(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, bytes: readFileSync(path) };
    });
}

/** Where any of `secrets` stands in clear in `files` (the secret itself is never repeated: only its length). */
export function leaksIn(files: { path: string; bytes: Buffer }[], secrets: readonly string[]): string[] {
  return files.flatMap((f) => secrets.filter((s) => f.bytes.includes(Buffer.from(s, 'utf8'))).map((s) => `${f.path}: ${s.length} chars`));
}
