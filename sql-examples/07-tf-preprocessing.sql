-- The notebook scaled pixels to [-1, 1] ('tf'); Keras's ResNet-50 expects 'caffe' (the default).
-- Compare how often the two agree on the best class.
SELECT count(*) AS images,
       count(*) FILTER (WHERE list_position(caffe, list_max(caffe))
                            = list_position(tf, list_max(tf))) AS same_best_class
FROM (
  SELECT predict_resnet50(data) AS caffe, predict_resnet50(data, 'tf') AS tf
  FROM 'image_data.parquet'
);
