namespace Lambda.ServingLayer.Ingest;

/// <summary>How an ingest body carries its events.</summary>
public enum IngestFormat
{
    /// <summary><c>application/json</c>: a JSON array of event objects (a bare object, or objects one per line, are read as NDJSON).</summary>
    Json = 1,

    /// <summary><c>application/x-ndjson</c> (or jsonl): one event object per line; blank lines are skipped.</summary>
    NdJson = 2,
}
