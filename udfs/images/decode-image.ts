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
  const input = { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS } as const;
  let image = sharp(bytes, input).rotate();
  if ((await image.metadata()).hasAlpha) {
    // Drop alpha before resizing, as PIL's convert('RGB') does: resizing with it would premultiply the
    // colours by it. A second pass, because sharp removes alpha only at the end of a pipeline.
    const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels }, limitInputPixels: MAX_INPUT_PIXELS });
  }
  const { data, info } = await image
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = width * height;
  const channels = info.channels;
  if (info.width !== width || info.height !== height || data.length !== pixels * channels) {
    throw new Error(`decoder returned ${info.width}x${info.height}x${channels}, expected ${width}x${height}`);
  }
  // Greyscale (1 channel) repeats its grey; any channel past RGB is skipped.
  const grey = channels < 3;
  for (let p = 0, src = 0, dst = offset; p < pixels; p++, src += channels, dst += 3) {
    const r = data[src] as number;
    out[dst] = r;
    out[dst + 1] = grey ? r : (data[src + 1] as number);
    out[dst + 2] = grey ? r : (data[src + 2] as number);
  }
}
