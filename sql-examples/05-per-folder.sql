-- Model output is a column like any other: aggregate it. The most common best guess per folder.
WITH guesses AS (
  SELECT regexp_extract(filename, '([^/]+)/[^/]+$', 1) AS folder,
         imagenet_top5(predict_resnet50(data))[1].label AS best_guess
  FROM 'image_data.parquet'
)
SELECT folder, count(*) AS images, mode(best_guess) AS most_common_guess
FROM guesses
GROUP BY folder
ORDER BY folder;
