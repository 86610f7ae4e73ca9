// Decodes an image (JPEG, PNG, WebP, TIFF, GIF, ...) to RGB floats 0..255 laid out height, width, channel,
// the way Keras' load_img + img_to_array see it: EXIF orientation applied, alpha dropped, greyscale
// expanded to three channels, 16-bit samples scaled to 8-bit, CMYK converted to sRGB, the first frame of
// an animation, resized to exactly width x height.
//
// Refused, each with its reason: empty BLOBs, bytes that are no image or a truncated one, images over
// MAX_INPUT_PIXELS (checked from the header, before any pixel is decoded, so a small file declaring a huge
// image costs nothing), and single-pixel images.

import sharp from 'sharp';

/** Refuse decompression bombs: 100 megapixels is far beyond any photo a model is fed. */
export const MAX_INPUT_PIXELS = 100_000_000;

/**
 * A single pixel is a placeholder (the 1x1 tracking pixels and spacers of crawled images), not a picture:
 * stretched to a model's input it is one flat colour and carries no information, so it is refused.
 */
export const MIN_IMAGE_PIXELS = 2;

/** Decodes `bytes` into `out[offset .. offset + height*width*3)`. Throws with the reason when it cannot. */
export async function decodeImageInto(
  bytes: Uint8Array,
  width: number,
  height: number,
  out: Float32Array,
  offset: number,
): Promise<void> {
  if (bytes.length === 0) throw new Error('the BLOB is empty (0 bytes)');
  const input = { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS } as const;
  // The header alone, without the pixel limit, so that a bomb is refused with its size in the message.
  const metadata = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata().catch(rethrowFirstLine);
  let image = sharp(bytes, input);
  checkSize(metadata.width, metadata.height, metadata.pageHeight ?? metadata.height);
  image = image.rotate();
  try {
    if (metadata.hasAlpha) {
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
  } catch (error) {
    rethrowFirstLine(error);
  }
}

function checkSize(width: number | undefined, height: number | undefined, frameHeight: number): void {
  if (width === undefined || height === undefined) throw new Error('the image header gives no size');
  if (width * frameHeight > MAX_INPUT_PIXELS) {
    const megapixels = Math.round((width * frameHeight) / 1e6);
    throw new Error(`the image is ${width}x${frameHeight} (${megapixels} megapixels), over the limit of ${MAX_INPUT_PIXELS / 1e6} megapixels`);
  }
  if (width * frameHeight < MIN_IMAGE_PIXELS) {
    throw new Error(`the image is ${width}x${frameHeight}: a single pixel is a placeholder, not a picture (at least ${MIN_IMAGE_PIXELS} pixels needed)`);
  }
}

/**
 * libvips repeats its warnings on following lines; the first line says what went wrong. Its message
 * buffer is shared by the decodes running at once on libuv's threads, so a failure can arrive without
 * its text: the header has been read by then, so the pixel data is what is broken.
 */
function rethrowFirstLine(error: unknown): never {
  if (!(error instanceof Error)) throw error;
  const first = error.message.split('\n')[0]!.trim();
  throw new Error(first === '' || first === 'Unknown error' ? 'the image data is truncated or corrupt' : first);
}
