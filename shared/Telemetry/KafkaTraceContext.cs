using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Lambda.Shared.Telemetry;

/// <summary>
/// Carries a trace context in Kafka record headers as W3C <c>traceparent</c>/<c>tracestate</c>, so a consumer can link
/// the work that stores a record to the request that produced it.
/// </summary>
public static class KafkaTraceContext
{
    /// <summary>The W3C trace-context header name.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C trace-state header name.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>Adds <paramref name="activity"/>'s context to <paramref name="headers"/>; nothing when there is no W3C activity.</summary>
    public static void Inject(Headers headers, Activity? activity)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id)
        {
            return;
        }

        headers.Add(TraceParentHeader, Encoding.ASCII.GetBytes(id));
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(activity.TraceStateString));
        }
    }

    /// <summary>Reads the context a producer injected; false when the record carries none or a malformed one.</summary>
    public static bool TryExtract(Headers? headers, out ActivityContext context)
    {
        context = default;
        if (headers is null || !headers.TryGetLastBytes(TraceParentHeader, out var parent) || parent is null || parent.Length != 55)
        {
            return false;
        }

        string? state = headers.TryGetLastBytes(TraceStateHeader, out var stateBytes) && stateBytes is not null
            ? Encoding.ASCII.GetString(stateBytes)
            : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent), state, isRemote: true, out context);
    }
}
