using System.Globalization;
using System.Text.Json;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Json;

/// <summary>
/// Writes a <see cref="ViewQueryResult"/> in the contract's shape:
/// <c>{"view":..., "granularity":..., ["window":...,] "rows":[{"bucket":..., &lt;dimensions&gt;..., &lt;measures&gt;...}], "watermark":{...}, "complete":..., "complete_from":{...}}</c>.
/// </summary>
public static class ViewQueryResultWriter
{
    /// <summary>
    /// Writer options for API bodies: non-ASCII text and quotes are written readably (<c>\"</c>, not <c>\u0022</c>);
    /// the bodies are application/json, never embedded in HTML, so the relaxed encoder is safe here.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Bytes buffered before the writer flushes to its stream.</summary>
    private const int FlushThreshold = 32 * 1024;

    /// <summary>Writes the whole response object, flushing to the writer's stream as it goes.</summary>
    public static async Task WriteAsync(Utf8JsonWriter writer, ViewQueryResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        var query = result.Query;
        var view = query.View;
        var dimensionNames = query.GroupBy.Select(i => view.Dimensions[i].Name).ToArray();
        var customQuantiles = !ReferenceEquals(query.Quantiles, QuantileValue.Defaults);

        writer.WriteStartObject();
        writer.WriteString("view", view.Name);
        writer.WriteString("granularity", query.Granularity.ToName());
        if (query.Window is { } window)
        {
            writer.WriteString("window", window.ToString());
        }

        writer.WriteStartArray("rows");
        foreach (var row in result.Rows)
        {
            writer.WriteStartObject();
            JsonValues.WriteInstant(writer, "bucket", row.BucketStartMilliseconds);
            for (var d = 0; d < dimensionNames.Length; d++)
            {
                writer.WritePropertyName(dimensionNames[d]);
                JsonValues.WriteField(writer, row.Dimensions[d]);
            }

            for (var m = 0; m < view.Measures.Count; m++)
            {
                writer.WritePropertyName(view.Measures[m].Name);
                JsonValues.WriteMeasure(writer, customQuantiles && row.States[m] is QuantilesState quantiles ? quantiles.GetQuantiles(query.Quantiles) : row.ValueAt(m));
            }

            writer.WriteEndObject();
            if (writer.BytesPending > FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        WriteWatermark(writer, result.Watermark);
        writer.WriteBoolean("complete", result.Coverage.Complete);
        WriteOffsets(writer, "complete_from", result.Coverage.CompleteFrom);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteWatermark(Utf8JsonWriter writer, ViewWatermark watermark)
    {
        writer.WriteStartObject("watermark");
        if (watermark.RunId is null)
        {
            writer.WriteNull("run_id");
        }
        else
        {
            writer.WriteString("run_id", watermark.RunId);
        }

        if (watermark.PublishedAt is { } publishedAt)
        {
            writer.WriteString("published_at", JsonValues.FormatInstant(publishedAt.ToUnixTimeMilliseconds()));
        }

        writer.WriteString("definition_hash", watermark.DefinitionHash);
        WriteOffsets(writer, "partitions", watermark.Partitions);
        WriteOffsets(writer, "speed", watermark.Speed);
        writer.WriteEndObject();
    }

    /// <summary>An object of partition number (as a string key) to offset, in partition order.</summary>
    internal static void WriteOffsets(Utf8JsonWriter writer, string name, IReadOnlyDictionary<int, long> offsets)
    {
        writer.WriteStartObject(name);
        foreach (var (partition, offset) in offsets.OrderBy(p => p.Key))
        {
            writer.WriteNumber(partition.ToString(CultureInfo.InvariantCulture), offset);
        }

        writer.WriteEndObject();
    }
}
