-- Step 3: the five most likely ImageNet classes of the first five images. The LIMIT is pushed below
-- the model: ResNet-50 runs on five rows, not on the whole file.
SELECT filename, imagenet_top5(predict_resnet50(data)) AS top5
FROM 'image_data.parquet'
LIMIT 5;
