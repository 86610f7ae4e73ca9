-- How a statement is split into stages: what DuckDB scans, what the model runs on, what DuckDB finishes.
EXPLAIN
SELECT filename, imagenet_top5(predict_resnet50(data)) AS top5
FROM 'image_data.parquet'
WHERE filename LIKE '%daisy%'
LIMIT 5;
