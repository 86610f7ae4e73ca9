"""Writes test/fixtures/parquet/: small Parquet files in the list layouts real writers produce.

    pip install pyarrow pyspark   # pyspark runs local[1] and needs Java 17
    python3 scripts/make-parquet-fixtures.py

Each file has an `id` INT column and a list column `data` of a few short lists, with NULL rows, NULL
elements (where the layout can hold them) and empty lists, pages of a few rows (several per column
chunk) and two row groups. The tests read the checked-in files; this script is not needed to run them.
"""
import glob
import os
import shutil
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import SparkSession
from pyspark.sql.types import ArrayType, DoubleType, FloatType, IntegerType, StructField, StructType

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'parquet')
ROWS = 40


def lists(null_elements=True):
    """Row i: NULL when i % 7 == 3, empty when i % 5 == 4, else i % 6 + 1 values (one NULL now and then)."""
    rows = []
    for i in range(ROWS):
        if i % 7 == 3:
            rows.append(None)
        elif i % 5 == 4:
            rows.append([])
        else:
            row = [i * 0.5 + j * 0.25 for j in range(i % 6 + 1)]
            if null_elements and i % 4 == 1:
                row[len(row) // 2] = None
            rows.append(row)
    return rows


def pyarrow_file(name, element, compression, *, version, dictionary, compliant=True):
    data = lists()
    if pa.types.is_integer(element):
        data = [None if r is None else [None if v is None else int(v * 4) for v in r] for r in data]
    table = pa.table({'id': pa.array(range(ROWS), pa.int32()), 'data': pa.array(data, pa.list_(element))})
    pq.write_table(
        table,
        os.path.join(OUT, name),
        compression=compression,
        data_page_version=version,
        use_dictionary=dictionary,
        use_compliant_nested_type=compliant,
        row_group_size=ROWS // 2,
        data_page_size=64,
        write_batch_size=4,
    )


def spark_file(spark, name, element, codec, *, legacy=False, v2=False, dictionary=True):
    schema = StructType([StructField('id', IntegerType(), False), StructField('data', ArrayType(element, True), True)])
    df = spark.createDataFrame([(i, r) for i, r in enumerate(lists())], schema).coalesce(1)
    spark.conf.set('spark.sql.parquet.writeLegacyFormat', 'true' if legacy else 'false')
    folder = tempfile.mkdtemp()
    (
        df.write.mode('overwrite')
        .option('compression', codec)
        .option('parquet.page.size', '64')
        .option('parquet.page.row.count.limit', '4')
        .option('parquet.page.size.row.check.min', '1')
        .option('parquet.page.size.row.check.max', '4')
        .option('parquet.block.size', '256')
        .option('parquet.block.size.row.check.min', '1')
        .option('parquet.block.size.row.check.max', '20')
        .option('parquet.enable.dictionary', 'true' if dictionary else 'false')
        .option('parquet.writer.version', 'PARQUET_2_0' if v2 else 'PARQUET_1_0')
        .parquet(folder + '/out')
    )
    [part] = glob.glob(folder + '/out/part-*.parquet')
    shutil.copy(part, os.path.join(OUT, name))
    shutil.rmtree(folder)


def parquet_mr_two_level(spark, name):
    """The legacy two-level list, `repeated double array` right inside the LIST group, written by
    parquet-mr's example writer (old parquet-avro and parquet-thrift wrote this form). It has no NULL elements."""
    jvm = spark._jvm
    schema = jvm.org.apache.parquet.schema.MessageTypeParser.parseMessageType(
        'message two_level { required int32 id; optional group data (LIST) { repeated double array; } }'
    )
    path = jvm.org.apache.hadoop.fs.Path(os.path.join(OUT, name))
    codecs = jvm.org.apache.parquet.hadoop.metadata.CompressionCodecName
    writer = (
        jvm.org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(path)
        .withType(schema)
        .withCompressionCodec(codecs.SNAPPY)
        .withPageSize(64)
        .withPageRowCountLimit(4)
        .withMinRowCountForPageSizeCheck(1)
        .withMaxRowCountForPageSizeCheck(4)
        .withRowGroupRowCountLimit(ROWS // 2)
        .withDictionaryEncoding(True)
        .build()
    )
    factory = jvm.org.apache.parquet.example.data.simple.SimpleGroupFactory(schema)
    for i, row in enumerate(lists(null_elements=False)):
        group = factory.newGroup()
        group.add('id', i)
        if row is not None:
            values = group.addGroup('data')
            for v in row:
                values.add('array', float(v))
        writer.write(group)
    writer.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, '*.parquet')):
        os.remove(old)
    pyarrow_file('pyarrow-element-float-v1-dict-snappy.parquet', pa.float32(), 'snappy', version='1.0', dictionary=True)
    pyarrow_file('pyarrow-element-double-v2-plain-zstd.parquet', pa.float64(), 'zstd', version='2.0', dictionary=False)
    pyarrow_file('pyarrow-item-float-v2-dict-gzip.parquet', pa.float32(), 'gzip', version='2.0', dictionary=True, compliant=False)
    pyarrow_file('pyarrow-element-int32-v1-plain-zstd.parquet', pa.int32(), 'zstd', version='1.0', dictionary=False)
    spark = (
        SparkSession.builder.master('local[1]')
        .config('spark.ui.enabled', 'false')
        .config('spark.sql.session.timeZone', 'UTC')
        .getOrCreate()
    )
    try:
        spark_file(spark, 'spark-element-float-v1-dict-snappy.parquet', FloatType(), 'snappy')
        spark_file(spark, 'spark-element-double-v2-plain-zstd.parquet', DoubleType(), 'zstd', v2=True, dictionary=False)
        spark_file(spark, 'spark-legacy-bag-array-float-v1-dict-gzip.parquet', FloatType(), 'gzip', legacy=True)
        parquet_mr_two_level(spark, 'parquet-mr-two-level-double-v1-dict-snappy.parquet')
    finally:
        spark.stop()
    for crc in glob.glob(os.path.join(OUT, '.*.crc')):
        os.remove(crc)


if __name__ == '__main__':
    main()
