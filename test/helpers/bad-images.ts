// Image BLOBs for the bad-input tests: broken ones (truncated, empty, text, 1x1, a decompression bomb)
// and unusual ones that must decode (animated GIF, CMYK JPEG, 16-bit PNG, EXIF-rotated JPEG).
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } });

export async function truncatedJpeg(): Promise<Uint8Array> {
  const jpeg = await solid(64, 64, '#ff8800').jpeg().toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length / 2));
}

export async function onePixelPng(): Promise<Uint8Array> {
  return solid(1, 1, '#ffffff').png().toBuffer();
}

/**
 * A 74-byte PNG whose header declares 50000 x 50000 RGB pixels (7.5 GB decoded): a valid signature, IHDR
 * and IEND with correct CRCs, and a little compressed data. Only a limit checked before decoding stops it.
 */
export function pngBomb(side = 50_000): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

/** Two frames, red then blue: the first (red) is the one decoded. */
export async function animatedGif(): Promise<Uint8Array> {
  const red = await solid(16, 16, '#ff0000').png().toBuffer();
  const blue = await solid(16, 16, '#0000ff').png().toBuffer();
  return sharp([red, blue], { join: { animated: true } }).gif().toBuffer();
}

export async function cmykJpeg(): Promise<Uint8Array> {
  return solid(16, 16, '#ff0000').toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
}

/** RGB (255, 128, 0) stored with 16 bits per sample. */
export async function png16(): Promise<Uint8Array> {
  return solid(16, 16, '#ff8000').toColourspace('rgb16').png().toBuffer();
}

/**
 * Stored as 16 x 8, left half red and right half blue, with EXIF orientation 6 (rotate 90 degrees
 * clockwise to display): shown upright it is 8 x 16 with red on top and blue at the bottom.
 */
export async function exifRotatedJpeg(): Promise<Uint8Array> {
  const pixels = Buffer.alloc(16 * 8 * 3);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 16; x++) pixels[(y * 16 + x) * 3 + (x < 8 ? 0 : 2)] = 255;
  }
  return sharp(pixels, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
}
