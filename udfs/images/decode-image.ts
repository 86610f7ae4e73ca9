// Decodes an image (JPEG, PNG, WebP, TIFF, GIF, ...) to RGB floats 0..255 laid out height, width, channel,
// the way Keras' load_img + img_to_array see it: EXIF orientation applied, alpha dropped, greyscale
// expanded to three channels, resized to exactly width x height.

import sharp from 'sharp';

/** Refuse decompression bombs: 100 megapixels is far beyond any photo a model is fed. */
export const MAX_INPUT_PIXELS = 100_000_000;

/** Decodes `bytes` into `out[offset .. offset + height*width*3)`. Throws with sharp's reason when it cannot. */
export async function decodeImageInto(
  bytes: Uint8Array,
  width: number,
  height: number,
  out: Float32Array,
  offset: number,
): Promise<void> {
  const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = width * height;
  const channels = info.channels;
  if (info.width !== width || info.height !== height || data.length !== pixels * channels) {
    throw new Error(`decoder returned ${info.width}x${info.height}x${channels}, expected ${width}x${height}`);
  }
  // Greyscale (1 or 2 channels) repeats its grey; RGBA (4) drops the alpha, as PIL's convert('RGB') does.
  const grey = channels < 3;
  for (let p = 0, src = 0, dst = offset; p < pixels; p++, src += channels, dst += 3) {
    const r = data[src] as number;
    out[dst] = r;
    out[dst + 1] = grey ? r : (data[src + 1] as number);
    out[dst + 2] = grey ? r : (data[src + 2] as number);
  }
}
