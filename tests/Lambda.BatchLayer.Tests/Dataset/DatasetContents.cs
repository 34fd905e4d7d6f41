using System.Globalization;
using System.Text;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>What a reader sees of a source's master dataset: every row by (partition, offset) with all its values, and the committed ends.</summary>
internal sealed record DatasetContents(IReadOnlyDictionary<(int Partition, long Offset), string> Rows, IReadOnlyDictionary<int, long> Ends, int Files)
{
    public static async Task<DatasetContents> ReadAsync(string root, SourceDefinition source)
    {
        var reader = new MasterDatasetReader(root, source);
        var snapshot = reader.LoadSnapshot();
        var rows = new Dictionary<(int, long), string>();
        await reader.ReadAsync(snapshot, new TimeRange(0, long.MaxValue / 2), (record, partition, offset) =>
        {
            Assert.True(rows.TryAdd((partition, offset), Describe(record)), $"row {partition}/{offset} is read twice");
        }, CancellationToken.None);
        return new DatasetContents(rows, snapshot.CommittedEnds.ToDictionary(), snapshot.Files.Count);
    }

    /// <summary>Order-independent checksum of the rows (sum of per-row hashes).</summary>
    public ulong Checksum => Rows.Aggregate(0UL, (sum, row) => unchecked(sum + Fnv($"{row.Key.Partition}/{row.Key.Offset}/{row.Value}")));

    public IReadOnlyDictionary<int, int> CountsByPartition => Rows.Keys.GroupBy(k => k.Partition).ToDictionary(g => g.Key, g => g.Count());

    public void AssertSameAs(DatasetContents expected, string when)
    {
        Assert.True(expected.Ends.Count == Ends.Count && expected.Ends.All(e => Ends.TryGetValue(e.Key, out var end) && end == e.Value),
            $"{when}: committed ends {Format(Ends)}, expected {Format(expected.Ends)}");
        Assert.True(expected.Rows.Count == Rows.Count, $"{when}: {Rows.Count} rows, expected {expected.Rows.Count}");
        foreach (var (key, value) in expected.Rows)
        {
            Assert.True(Rows.TryGetValue(key, out var actual) && actual == value, $"{when}: row {key} differs or is missing");
        }
    }

    private static string Format(IReadOnlyDictionary<int, long> ends) => string.Join(",", ends.OrderBy(e => e.Key).Select(e => $"{e.Key}:{e.Value}"));

    private static string Describe(EventRecord record)
    {
        var text = new StringBuilder();
        text.Append(record.TimestampMilliseconds.ToString(CultureInfo.InvariantCulture));
        foreach (var field in record.Source.Fields)
        {
            text.Append('|').Append(field.Type.Kind switch
            {
                FieldKind.String => record.GetString(field.Ordinal),
                FieldKind.Long => record.GetLong(field.Ordinal).ToString(CultureInfo.InvariantCulture),
                FieldKind.Double => record.GetDouble(field.Ordinal).ToString("R", CultureInfo.InvariantCulture),
                FieldKind.Decimal => record.GetDecimalUnscaled(field.Ordinal).ToString(CultureInfo.InvariantCulture),
                FieldKind.Bool => record.GetBool(field.Ordinal) ? "true" : "false",
                FieldKind.Timestamp => record.GetTimestampMilliseconds(field.Ordinal).ToString(CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException($"unknown kind {field.Type.Kind}"),
            });
        }

        return text.ToString();
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash;
    }
}
