namespace Lambda.ServingLayer.Ingest;

/// <summary>The answer to an ingest request: accepted records are in Kafka; rejected ones are listed one by one.</summary>
/// <param name="Accepted">Records written to Kafka and acknowledged.</param>
/// <param name="Rejected">Records refused.</param>
/// <param name="Errors">One entry per refused record, in body order.</param>
public sealed record IngestResult(int Accepted, int Rejected, IReadOnlyList<IngestError> Errors);
