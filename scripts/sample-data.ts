// npm run sample-data -- --images N --out DIR [--classes K] [--seed S]
// Writes N generated flower JPEGs into DIR/<class>/ (daisy, dandelion, roses, sunflowers, tulips), like the
// flower_photos data set the Databricks notebook reads, and prints what it wrote.

import { parseArgs } from 'node:util';
import { SAMPLE_CLASSES, writeSampleImages } from '../udfs/images/sample-images.js';

const USAGE = 'usage: npm run sample-data -- --images N --out DIR [--classes K] [--seed S]';

function integerOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required\n${USAGE}`);
    return fallback;
  }
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a non-negative integer, found '${value}'`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string' },
      out: { type: 'string' },
      classes: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.out === undefined) throw new Error(`--out is required\n${USAGE}`);
  const images = integerOption(values.images, 'images');
  const classes = integerOption(values.classes, 'classes', SAMPLE_CLASSES.length);
  const seed = integerOption(values.seed, 'seed', 1);
  const written = await writeSampleImages({ out: values.out, images, classes, seed });
  const perClass = new Map<string, number>();
  let bytes = 0;
  for (const image of written) {
    perClass.set(image.className, (perClass.get(image.className) ?? 0) + 1);
    bytes += image.bytes;
  }
  for (const [name, count] of perClass) console.log(`${values.out}/${name}/: ${count} JPEG${count === 1 ? '' : 's'}`);
  console.log(`wrote ${written.length} images (${(bytes / 1024).toFixed(0)} KiB, seed ${seed}) to ${values.out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
