using System.ComponentModel;

namespace Lambda.ServingLayer.AdHocJobs;

/// <summary>The body of <c>POST /api/admin/jobs</c>, before validation (<see cref="AdHocJobEndpoints"/>).</summary>
[Description("An ad hoc job: one DuckDB SELECT over master_<source> and batch_<view>, and the result's format.")]
public sealed record AdHocJobArguments
{
    /// <summary>The SQL: exactly one SELECT statement (DuckDB dialect).</summary>
    [Description("Exactly one SELECT (DuckDB dialect) over the views master_<source> (every archived event, with date and hour columns) and batch_<view> (the published batch views).")]
    public string? Sql { get; init; }

    /// <summary><c>parquet</c> (default) or <c>csv</c>.</summary>
    [Description("The result's file format: parquet (the default) or csv.")]
    public string? Format { get; init; }
}
