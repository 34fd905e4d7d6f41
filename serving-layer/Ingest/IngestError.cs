namespace Lambda.ServingLayer.Ingest;

/// <summary>Why one record of an ingest request was rejected.</summary>
/// <param name="Index">The record's 0-based position in the body (array element, or non-blank NDJSON line).</param>
/// <param name="Reason">What is wrong, naming the field and the value.</param>
/// <param name="Field">The field at fault, when one is.</param>
/// <param name="Code">The reason code: too_large, not_json, not_an_object, missing_field, wrong_type, value_out_of_range, invalid_time, time_out_of_range, duplicate_field.</param>
public sealed record IngestError(int Index, string Reason, string? Field, string Code);
