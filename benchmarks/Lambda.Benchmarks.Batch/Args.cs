using System.Globalization;
using Lambda.BatchLayer.Recompute;

namespace Lambda.Benchmarks.Batch;

/// <summary>Command-line settings of the benchmark.</summary>
internal sealed record Args(long Events, int Partitions, int PerCommit, int Repeat, int Parallelism, string? Directory, bool Keep, bool Verbose, bool Compact = false, int? SpreadDays = null, bool Lookups = false)
{
    /// <summary>The default of <see cref="Events"/>.</summary>
    public const long DefaultEvents = 10_000_000;

    /// <summary><c>--clickhouse-load D</c>: time the ClickHouse load and exact-view publish of D days (<see cref="ClickHouseLoadBenchmark"/>); null when not asked.</summary>
    public int? ClickHouseLoadDays { get; init; }

    /// <summary><c>--workers N</c>: also time the recompute with N workers (<see cref="WorkersBenchmark"/>); null when not asked.</summary>
    public int? Workers { get; init; }

    /// <summary><c>--s3</c>: with <c>--workers</c>, measure on the stack's object storage instead (<see cref="S3WorkersBenchmark"/>).</summary>
    public bool S3 { get; init; }

    /// <summary><c>--days-per-claim N</c>: <see cref="RecomputeOptions.DaysPerClaim"/> of the measured recomputes; null: its default.</summary>
    public int? DaysPerClaim { get; init; }

    /// <summary>The recompute settings the benchmark runs with.</summary>
    public RecomputeOptions RecomputeOptions => new() { MaxDegreeOfParallelism = Parallelism, DaysPerClaim = DaysPerClaim ?? new RecomputeOptions().DaysPerClaim };

    public static Args Parse(string[] args)
    {
        var result = new Args(DefaultEvents, 8, 125_000, 3, Environment.ProcessorCount, null, false, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            result = args[i] switch
            {
                "--events" => result with { Events = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--partitions" => result with { Partitions = Int() },
                "--per-commit" => result with { PerCommit = Int() },
                "--repeat" => result with { Repeat = Int() },
                "--parallelism" => result with { Parallelism = Int() },
                "--dir" => result with { Directory = Value() },
                "--keep" => result with { Keep = true },
                "--verbose" => result with { Verbose = true },
                "--compact" => result with { Compact = true },
                "--lookups" => result with { Lookups = true },
                "--spread-days" => result with { SpreadDays = Int() is var days and >= 1 ? days : throw new ArgumentException("--spread-days must be at least 1") },
                "--clickhouse-load" => result with { ClickHouseLoadDays = Int() is var loadDays and >= 1 ? loadDays : throw new ArgumentException("--clickhouse-load must be at least 1 day") },
                "--days-per-claim" => result with { DaysPerClaim = Int() is var perClaim and >= 1 ? perClaim : throw new ArgumentException("--days-per-claim must be at least 1") },
                "--s3" => result with { S3 = true },
                "--workers" => result with { Workers = Int() is var workers and >= 2 ? workers : throw new ArgumentException("--workers must be at least 2 (one worker is always measured)") },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'; expected --events, --partitions, --per-commit, --repeat, --parallelism, --dir, --keep, --verbose, --compact, --spread-days, --lookups, --workers, --s3, --clickhouse-load, --days-per-claim"),
            };
        }

        return result;
    }
}
