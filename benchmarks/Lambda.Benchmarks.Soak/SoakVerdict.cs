using System.Globalization;

namespace Lambda.Benchmarks.Soak;

/// <summary>Collects the reasons the soak failed; PASS without any.</summary>
internal sealed class SoakVerdict
{
    private readonly List<string> _reasons = [];

    public bool Passed => _reasons.Count == 0;

    public string Line => Passed ? "VERDICT: PASS" : $"VERDICT: FAIL ({string.Join("; ", _reasons)})";

    public void Check(IReadOnlyList<string> mismatches, string when)
    {
        if (mismatches.Count > 0)
        {
            _reasons.Add($"count mismatch {when}: {string.Join(" | ", mismatches.Take(5))}{(mismatches.Count > 5 ? $" | and {mismatches.Count - 5} more" : "")}");
        }
    }

    public void Require(bool condition, string reason)
    {
        if (!condition)
        {
            _reasons.Add(reason);
        }
    }

    public void Judge(IReadOnlyList<SoakRow> rows, IngestTotals sent, SoakSettings settings)
    {
        Require(sent.Rejected == 0, string.Create(CultureInfo.InvariantCulture, $"{sent.Rejected} events rejected by the API"));
        Require(sent.Uncertain == 0, string.Create(CultureInfo.InvariantCulture, $"{sent.Uncertain} events in requests with an unknown outcome"));
        Require(sent.Failed == 0, string.Create(CultureInfo.InvariantCulture, $"{sent.Failed} events refused with a 4xx"));
        foreach (var service in SoakEndpoints.Services)
        {
            var max = rows.Max(r => r.Platform.RssMiB.GetValueOrDefault(service));
            Require(max is not null, $"RSS of {service} never read");
            Require(max is null || max <= settings.MaxRssMiB, string.Create(CultureInfo.InvariantCulture, $"RSS of {service} reached {max} MiB > {settings.MaxRssMiB} MiB"));
        }

        var speed = rows.Max(r => r.Platform.SpeedLag);
        var archiver = rows.Max(r => r.Platform.ArchiverLag);
        Require(speed is not null && archiver is not null, "the speed or archiver lag was never scraped");
        Require(speed is null || speed <= settings.MaxLag, string.Create(CultureInfo.InvariantCulture, $"speed lag reached {speed:N0} > {settings.MaxLag:N0}"));
        Require(archiver is null || archiver <= settings.MaxLag, string.Create(CultureInfo.InvariantCulture, $"archiver lag reached {archiver:N0} > {settings.MaxLag:N0}"));
    }
}
