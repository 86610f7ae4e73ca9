-- Step 1 of the notebook: decode every photo, resize it to 224x224 and keep it as a list of
-- 150528 floats (height, width, RGB channel; values 0..255), one row per image.
COPY (
  SELECT filename, image_to_tensor(content) AS data
  FROM read_blob('flower_photos/*/*.jpg')
) TO 'image_data.parquet';
