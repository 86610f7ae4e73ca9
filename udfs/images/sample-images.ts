// Generates a small flower_photos-like data set: JPEGs in one folder per class (daisy, dandelion, roses,
// sunflowers, tulips), of various non-square sizes, drawn from seeded random content so that the same
// seed always gives the same files. Each class has its own palette and flower shape, so classes differ.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { randomInt, seededRandom, type Random } from '../seeded-random.js';

type Rgb = readonly [number, number, number];

interface ClassLook {
  readonly name: string;
  readonly skyTop: Rgb;
  readonly ground: Rgb;
  readonly petal: Rgb;
  readonly center: Rgb;
  readonly petals: number;
  /** Petal length relative to the flower radius. */
  readonly petalLength: number;
}

export const SAMPLE_CLASSES: readonly ClassLook[] = [
  { name: 'daisy', skyTop: [150, 190, 120], ground: [40, 110, 40], petal: [245, 245, 240], center: [235, 190, 30], petals: 14, petalLength: 0.55 },
  { name: 'dandelion', skyTop: [120, 170, 90], ground: [50, 120, 30], petal: [250, 215, 20], center: [230, 170, 10], petals: 40, petalLength: 0.75 },
  { name: 'roses', skyTop: [60, 90, 50], ground: [20, 60, 25], petal: [190, 20, 40], center: [120, 10, 25], petals: 6, petalLength: 0.45 },
  { name: 'sunflowers', skyTop: [90, 150, 230], ground: [60, 130, 50], petal: [255, 200, 0], center: [90, 50, 20], petals: 22, petalLength: 0.4 },
  { name: 'tulips', skyTop: [200, 210, 230], ground: [70, 140, 60], petal: [230, 80, 160], center: [200, 40, 120], petals: 3, petalLength: 0.8 },
];

export const MIN_SIDE = 180;
export const MAX_SIDE = 500;

export interface SampleImagesOptions {
  readonly out: string;
  readonly images: number;
  /** How many of the five classes to use (default 5). */
  readonly classes?: number;
  readonly seed?: number;
}

export interface SampleImage {
  /** Path relative to `out`, e.g. `daisy/daisy-0000.jpg`. */
  readonly file: string;
  readonly className: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

/** Writes the images (round-robin over the classes) and returns what was written, in order. */
export async function writeSampleImages(options: SampleImagesOptions): Promise<SampleImage[]> {
  const classCount = options.classes ?? SAMPLE_CLASSES.length;
  if (!Number.isInteger(classCount) || classCount < 1 || classCount > SAMPLE_CLASSES.length) {
    throw new Error(`classes must be an integer from 1 to ${SAMPLE_CLASSES.length}, found ${classCount}`);
  }
  if (!Number.isInteger(options.images) || options.images < 0) {
    throw new Error(`images must be a non-negative integer, found ${options.images}`);
  }
  const looks = SAMPLE_CLASSES.slice(0, classCount);
  for (const look of looks) await mkdir(join(options.out, look.name), { recursive: true });
  const written: SampleImage[] = [];
  for (let i = 0; i < options.images; i++) {
    const look = looks[i % looks.length] as ClassLook;
    const index = Math.floor(i / looks.length);
    const random = seededRandom(((options.seed ?? 1) * 1_000_003 + i) >>> 0);
    const { jpeg, width, height } = await sampleImage(look, random);
    const file = join(look.name, `${look.name}-${String(index).padStart(4, '0')}.jpg`);
    await writeFile(join(options.out, file), jpeg);
    written.push({ file, className: look.name, width, height, bytes: jpeg.byteLength });
  }
  return written;
}

async function sampleImage(look: ClassLook, random: Random): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const width = randomInt(random, MIN_SIDE, MAX_SIDE);
  let height = randomInt(random, MIN_SIDE, MAX_SIDE);
  if (height === width) height = width > MIN_SIDE ? width - 1 : width + 1;
  const pixels = new Uint8Array(width * height * 3);
  paintBackground(pixels, width, height, look, random);
  const flowers = randomInt(random, 1, 4);
  for (let f = 0; f < flowers; f++) paintFlower(pixels, width, height, look, random);
  addNoise(pixels, random);
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
  return { jpeg, width, height };
}

/** A vertical gradient from sky to ground, with the horizon at a random height. */
function paintBackground(pixels: Uint8Array, width: number, height: number, look: ClassLook, random: Random): void {
  const horizon = 0.3 + random() * 0.4;
  for (let y = 0; y < height; y++) {
    const t = Math.min(1, Math.max(0, (y / height - horizon) * 4 + 0.5));
    const color = mix(look.skyTop, look.ground, t);
    for (let x = 0; x < width; x++) setPixel(pixels, width, x, y, color);
  }
}

/** A disc centre with petals (ellipses) around it, and a stem. */
function paintFlower(pixels: Uint8Array, width: number, height: number, look: ClassLook, random: Random): void {
  const radius = Math.min(width, height) * (0.12 + random() * 0.2);
  const cx = radius + random() * (width - 2 * radius);
  const cy = radius + random() * (height - 2 * radius);
  const turn = random() * Math.PI;
  fill(pixels, width, height, cx - 2, cy, 4, height - cy, look.ground, () => true);
  const petalLength = radius * look.petalLength;
  const petalWidth = Math.max(2, (Math.PI * radius) / look.petals);
  for (let p = 0; p < look.petals; p++) {
    const angle = turn + (2 * Math.PI * p) / look.petals;
    const px = cx + Math.cos(angle) * (radius - petalLength);
    const py = cy + Math.sin(angle) * (radius - petalLength);
    const shade = 0.85 + random() * 0.15;
    const color: Rgb = [look.petal[0] * shade, look.petal[1] * shade, look.petal[2] * shade];
    fill(pixels, width, height, px - petalLength, py - petalLength, 2 * petalLength, 2 * petalLength, color, (x, y) => {
      const dx = x - px;
      const dy = y - py;
      const along = dx * Math.cos(angle) + dy * Math.sin(angle);
      const across = -dx * Math.sin(angle) + dy * Math.cos(angle);
      return (along / petalLength) ** 2 + (across / (petalWidth / 2)) ** 2 <= 1;
    });
  }
  const centerRadius = radius * (1 - look.petalLength) * 0.9 + 2;
  fill(pixels, width, height, cx - centerRadius, cy - centerRadius, 2 * centerRadius, 2 * centerRadius, look.center, (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= centerRadius ** 2,
  );
}

function fill(
  pixels: Uint8Array,
  width: number,
  height: number,
  left: number,
  top: number,
  w: number,
  h: number,
  color: Rgb,
  inside: (x: number, y: number) => boolean,
): void {
  const x0 = Math.max(0, Math.floor(left));
  const y0 = Math.max(0, Math.floor(top));
  const x1 = Math.min(width, Math.ceil(left + w));
  const y1 = Math.min(height, Math.ceil(top + h));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (inside(x, y)) setPixel(pixels, width, x, y, color);
}

function addNoise(pixels: Uint8Array, random: Random): void {
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.min(255, Math.max(0, (pixels[i] as number) + Math.round((random() - 0.5) * 24)));
  }
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function setPixel(pixels: Uint8Array, width: number, x: number, y: number, color: Rgb): void {
  const i = (y * width + x) * 3;
  pixels[i] = color[0];
  pixels[i + 1] = color[1];
  pixels[i + 2] = color[2];
}
