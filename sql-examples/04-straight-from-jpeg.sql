-- No tensors file needed: predict_resnet50 also takes the encoded image bytes, decoded in the workers.
SELECT filename, imagenet_top5(predict_resnet50(content))[1].label AS best_guess
FROM read_blob('flower_photos/*/*.jpg')
ORDER BY filename
LIMIT 8;
