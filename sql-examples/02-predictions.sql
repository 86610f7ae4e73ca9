-- Step 2 of the notebook: ResNet-50 on every row, on every core; 1000 class probabilities per image.
COPY (
  SELECT predict_resnet50(data) AS prediction FROM 'image_data.parquet'
) TO 'predictions.parquet';
