using System.ComponentModel.DataAnnotations;

namespace Lambda.DemoGenerator;

/// <summary>Settings of the demo event generator (section <c>Demo</c>).</summary>
public sealed class DemoGeneratorOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Demo";

    /// <summary>Orders sent per second. Default 200. Payments and page views follow from it.</summary>
    [Range(1, 1_000_000)]
    public int OrdersPerSecond { get; init; } = 200;

    /// <summary>Page views sent per order. Default 3.</summary>
    [Range(0, 100)]
    public int PageViewsPerOrder { get; init; } = 3;

    /// <summary>
    /// Share of events whose event time lies up to <see cref="MaxLateness"/> in the past, so the demo
    /// shows late events being counted. Default 0.01.
    /// </summary>
    [Range(0.0, 1.0)]
    public double LateShare { get; init; } = 0.01;

    /// <summary>How far in the past a late event may be. Default 2 hours.</summary>
    public TimeSpan MaxLateness { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Share of orders sent malformed, so the dead-letter topic has something to show. Default 0.001.</summary>
    [Range(0.0, 1.0)]
    public double MalformedShare { get; init; } = 0.001;

    /// <summary>
    /// The serving layer the reference data (lookups countries and fx_rates) is published to at start; empty: publish none.
    /// Default <c>http://127.0.0.1:8080</c> (the local stack).
    /// </summary>
    public string ServingUrl { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The admin-scope API key for the lookup publishes. Default the development key <c>dev-admin-key</c>.</summary>
    public string AdminKey { get; init; } = "dev-admin-key";

    /// <summary>How often one fx rate changes (a new fx_rates version with a row valid from today). Default 3 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FxRateChangeInterval { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Seed of the random generator; null picks one per start. Default null.</summary>
    public int? Seed { get; init; }
}
