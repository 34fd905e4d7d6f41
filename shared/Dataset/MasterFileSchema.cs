using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Parquet.Schema;

namespace Lambda.Shared.Dataset;

/// <summary>
/// The Parquet schema of a source's master-dataset files: every source field in declaration order, typed
/// (<see cref="ParquetColumns"/>: decimals as DECIMAL(p,s), timestamps as TIMESTAMP(MILLIS, UTC)), then
/// <c>event_time</c> (TIMESTAMP(MILLIS, UTC)), <c>kafka_partition</c> (INT32) and <c>kafka_offset</c> (INT64).
/// Only optional fields' columns are nullable (a required field is in every valid event); an optional field with a
/// default is archived with the default already applied. Files written before a field was added lack its column,
/// and readers take its default or null for their rows (see <see cref="MasterRowBatch"/>). Key-value metadata: format, source,
/// and the Kafka partition and offset range of the rows (also in the file name and the commit record).
/// </summary>
public sealed class MasterFileSchema
{
    /// <summary>The event-time column.</summary>
    public const string EventTimeColumn = "event_time";

    /// <summary>The Kafka partition column.</summary>
    public const string PartitionColumn = "kafka_partition";

    /// <summary>The Kafka offset column.</summary>
    public const string OffsetColumn = "kafka_offset";

    /// <summary>Key-value metadata key holding the source name.</summary>
    public const string SourceKey = "lambda.source";

    /// <summary>Key-value metadata key holding the Kafka partition of every row.</summary>
    public const string PartitionKey = "lambda.kafka_partition";

    /// <summary>Key-value metadata key holding the smallest Kafka offset of a row.</summary>
    public const string MinOffsetKey = "lambda.min_offset";

    /// <summary>Key-value metadata key holding the largest Kafka offset of a row.</summary>
    public const string MaxOffsetKey = "lambda.max_offset";

    /// <summary>Key-value metadata key holding the format id.</summary>
    public const string FormatKey = "lambda.format";

    /// <summary>The format id of master-dataset files.</summary>
    public const string FormatValue = "master/1";

    /// <summary>Builds the schema of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">A field is named like one of the platform columns.</exception>
    public MasterFileSchema(SourceDefinition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (var field in source.Fields)
        {
            if (field.Name is EventTimeColumn or PartitionColumn or OffsetColumn)
            {
                throw new ArgumentException(
                    $"source '{source.Name}': field '{field.Name}' collides with the master dataset's own column of that name; rename the field",
                    nameof(source));
            }
        }

        Source = source;
        Fields = source.Fields.Select(f => ParquetColumns.Create(f.Name, f.Type, nullable: f.IsOptional)).ToArray();
        EventTime = ParquetColumns.Timestamp(EventTimeColumn);
        Partition = new DataField<int>(PartitionColumn, false);
        Offset = new DataField<long>(OffsetColumn, false);
        Schema = new ParquetSchema([.. Fields, EventTime, Partition, Offset]);
    }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The source fields' columns, indexed by field ordinal.</summary>
    public IReadOnlyList<DataField> Fields { get; }

    /// <summary>The <c>event_time</c> column.</summary>
    public DateTimeDataField EventTime { get; }

    /// <summary>The <c>kafka_partition</c> column.</summary>
    public DataField Partition { get; }

    /// <summary>The <c>kafka_offset</c> column.</summary>
    public DataField Offset { get; }

    /// <summary>The whole schema.</summary>
    public ParquetSchema Schema { get; }
}
